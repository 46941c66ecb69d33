package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetListener;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cursors the app persists ({@code lastSeq}, {@code lastChange}) move only once the listener returned
 * for the event: not while the event waits for the callback thread (an app that dies then resumes before
 * it), and not past an event the listener threw on, which the next subscribe has the server give again.
 * The callback thread is played by a queue the test runs; the test plays the server.
 */
class HandledCursorsTest {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private EmbeddedChannel channel;
    private SessionTransport transport;
    private SessionLifecycle session;
    private final Queue<Runnable> callbackThread = new ArrayDeque<>();
    private final List<String> handled = new ArrayList<>();
    /** What the listener throws on, once each. */
    private final Set<String> failOnce = new HashSet<>();

    @BeforeEach
    void connect() throws Exception {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        transport = new SessionTransport(channel.eventLoop(), Duration.ofSeconds(60));
        transport.attach(channel);
        DuetListener listener = new DuetListener() {
            @Override
            public void onMessage(Message message) {
                handle("message " + message.getSeq());
            }

            @Override
            public void onMessageChanged(Message message) {
                handle("change of " + message.getSeq() + " v" + message.getVersion());
            }
        };
        Executor queued = callbackThread::add;
        session = new SessionLifecycle(new InetSocketAddress("127.0.0.1", 1), null, channel.eventLoop(), () -> "token",
                null, 0, new ListenerCallbacks(queued, listener), transport, Duration.ofSeconds(1), Duration.ofSeconds(1));
        session.delivery().startChangesAfter(4);
        session.authenticated(new AuthAccepted().setUserId(7).setCoupleId(3).setDeviceId("phone"));
        answer(channel.readOutbound(), new SubscribeResult(0, false).setLatestChange(4));
        runCallbacks();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void handle(String event) {
        if (failOnce.remove(event)) {
            throw new IllegalStateException("the app's database is full");
        }
        handled.add(event);
    }

    @Test
    void theCursorsMoveOnlyOnceTheListenerReturned() throws Exception {
        push(message(1));
        push(message(2));
        push(changed(1, 5));
        assertThat(session.delivery().lastSeq()).as("handed over, not handled yet").isZero();
        assertThat(session.delivery().lastChange()).isEqualTo(4);

        callbackThread.poll().run();
        assertThat(session.delivery().lastSeq()).isEqualTo(1);
        runCallbacks();
        assertThat(session.delivery().lastSeq()).isEqualTo(2);
        assertThat(session.delivery().lastChange()).isEqualTo(5);
    }

    @Test
    void anEventTheListenerThrewOnIsGivenAgainByTheNextSubscribe() throws Exception {
        failOnce.addAll(List.of("message 2", "change of 1 v6"));
        push(message(1));
        push(message(2));
        push(message(3));
        push(changed(1, 6));
        push(changed(1, 7));
        runCallbacks();
        assertThat(handled).containsExactly("message 1", "message 3", "change of 1 v7");
        assertThat(session.delivery().lastSeq()).as("stopped before the message that failed").isEqualTo(1);
        assertThat(session.delivery().lastChange()).as("and before every change after it").isEqualTo(4);

        // The next subscribe (a reconnect, a gap) resumes after what was handled; the server replays.
        session.subscribe();
        Frame subscribe = channel.readOutbound();
        assertThat(args(subscribe).getAfterSeq()).isEqualTo(1);
        assertThat(args(subscribe).getAfterChange()).isEqualTo(4);
        push(changed(1, 6));
        push(changed(1, 7));
        push(message(2));
        push(message(3));
        answer(subscribe, new SubscribeResult(3, false).setLatestChange(7));
        runCallbacks();

        assertThat(handled).containsSubsequence("change of 1 v6", "message 2");
        assertThat(session.delivery().lastSeq()).isEqualTo(3);
        assertThat(session.delivery().lastChange()).isEqualTo(7);
    }

    private void runCallbacks() {
        Runnable task;
        while ((task = callbackThread.poll()) != null) {
            task.run();
        }
    }

    private static Event message(long seq) {
        return Event.message(new MessageEvent(new Message().setSeq(seq).setClientMessageId("m" + seq).setText("t")));
    }

    private static Event changed(long seq, long change) {
        Message message = new Message().setSeq(seq).setClientMessageId("m" + seq).setText("v" + change)
                .setVersion(change);
        return Event.messageChanged(new MessageChangedEvent(message).setChange(change));
    }

    private void push(Event event) {
        session.delivery().onEvent(CODEC.encode(event));
        channel.runPendingTasks();
    }

    private void answer(Frame subscribe, SubscribeResult result) throws Exception {
        int seqid = ThriftMessages.read(CODEC, subscribe.payload(), WireProtocol.COMPACT).header().seqid;
        transport.onReply(ThriftMessages.encodeReply(CODEC, WireProtocol.COMPACT, commonConstants.CHAT_SERVICE
                + ThriftMessages.SERVICE_SEPARATOR + "subscribe", seqid, new ChatService.subscribe_result().setSuccess(result)));
        channel.runPendingTasks();
    }

    private static SubscribeRequest args(Frame subscribe) throws Exception {
        return ThriftMessages.read(CODEC, subscribe.payload(), WireProtocol.COMPACT)
                .readBody(new ChatService.subscribe_args()).getRequest();
    }
}
