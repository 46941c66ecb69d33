package io.duet.app.relay;

import io.duet.app.pairing.UserPush;
import io.duet.protocol.api.Event;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay connections of every presentation server (each keeps links to every application server),
 * and pushes to users through all of them: each presentation server delivers to the sessions it holds.
 */
public final class PresentationLinks implements UserPush {
    private final ChannelGroup channels = new DefaultChannelGroup("presentation-links", GlobalEventExecutor.INSTANCE);
    /** Streams open on all links together; each link adds the changes of its own stream table. */
    private final LongAdder openStreams = new LongAdder();

    ChannelGroup channels() {
        return channels;
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

    /** Closes every link (at shutdown). */
    public void close() {
        channels.close().awaitUninterruptibly();
    }
}
