package io.duet.app.relay;

import io.duet.app.account.SessionRevoker;
import io.duet.app.pairing.UserPush;
import io.duet.protocol.api.Event;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay connections of every presentation server (each keeps links to every application server),
 * and pushes to users through all of them: each presentation server delivers to the sessions it holds.
 * Revocations go to the links that take them, and are sent again to each link greeted while they still
 * matter (a presentation server that was cut off, or started, in between).
 */
public final class PresentationLinks implements UserPush, SessionRevoker {
    /** Revocations remembered for links greeted later; past this the oldest are dropped. */
    static final int MAX_REMEMBERED_REVOCATIONS = 100_000;
    private static final AttributeKey<Boolean> TAKES_REVOCATIONS = AttributeKey.valueOf("duet.revocations");

    private final ChannelGroup channels = new DefaultChannelGroup("presentation-links", GlobalEventExecutor.INSTANCE);
    /** Streams open on all links together; each link adds the changes of its own stream table. */
    private final LongAdder openStreams = new LongAdder();
    private final ArrayDeque<Revocation> recentRevocations = new ArrayDeque<>();
    private final Clock clock;
    /** When a presentation server last opened a stream or sent a call on any link ({@link System#nanoTime()}). */
    private volatile long lastCallNanos = System.nanoTime();

    public PresentationLinks(Clock clock) {
        this.clock = clock;
    }

    /** A link said HELLO: it joins the group, and one that takes revocations is sent those still in force. */
    void greeted(Channel channel, boolean takesRevocations) {
        if (takesRevocations) {
            channel.attr(TAKES_REVOCATIONS).set(true);
            for (Revocation revocation : remembered()) {
                channel.write(RelayFrameCodec.toFrame(RelayFrame.revocation(revocation)), channel.voidPromise());
            }
            channel.flush();
        }
        channels.add(channel);
    }

    LongAdder streamCounter() {
        return openStreams;
    }

    /** How many relay links from presentation servers are open (greeted and not closed). */
    public int openLinks() {
        return channels.size();
    }

    /** How many streams (sessions and requests) are open on those links. */
    public long openStreams() {
        return openStreams.sum();
    }

    @Override
    public void push(Collection<Long> userIds, Event event) {
        RelayFrame frame = RelayFrame.userPush(new io.duet.protocol.relay.UserPush(new ArrayList<>(userIds),
                ByteBuffer.wrap(ThriftCodec.INTERNAL.encode(event))));
        channels.writeAndFlush(RelayFrameCodec.toFrame(frame));
    }

    @Override
    public void revoke(Revocation revocation) {
        synchronized (recentRevocations) {
            if (recentRevocations.size() >= MAX_REMEMBERED_REVOCATIONS) {
                recentRevocations.poll();
            }
            recentRevocations.add(revocation);
        }
        channels.writeAndFlush(RelayFrameCodec.toFrame(RelayFrame.revocation(revocation)),
                channel -> Boolean.TRUE.equals(channel.attr(TAKES_REVOCATIONS).get()));
    }

    /** The revocations that still match some unexpired token, forgetting the others. */
    private List<Revocation> remembered() {
        long now = clock.millis();
        synchronized (recentRevocations) {
            recentRevocations.removeIf(revocation -> revocation.getForgetAfterMillis() < now);
            return List.copyOf(recentRevocations);
        }
    }

    /** A presentation server opened a stream or sent a call. */
    void heardCall() {
        lastCallNanos = System.nanoTime();
    }

    /**
     * Waits until no presentation server has opened a stream or sent a call for {@code quiet}, for at most
     * {@code atMost}. At shutdown, between handing the couples over and closing the links: a presentation
     * server whose shard map still names this server has its calls turned away with the new owner's name
     * (and answers its clients from there) instead of losing them with the link.
     *
     * @return whether the links went quiet in time
     */
    public boolean awaitQuiet(Duration quiet, Duration atMost) throws InterruptedException {
        long giveUpAt = System.nanoTime() + atMost.toNanos();
        while (true) {
            long quietUntil = lastCallNanos + quiet.toNanos();
            long now = System.nanoTime();
            if (now - quietUntil >= 0 || channels.isEmpty()) {
                return true;
            }
            if (now - giveUpAt >= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(quietUntil - now, giveUpAt - now));
        }
    }

    /** Closes every link (at shutdown). */
    public void close() {
        channels.close().awaitUninterruptibly();
    }
}
