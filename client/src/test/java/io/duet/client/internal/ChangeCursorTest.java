package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetListener;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageChangesLostEvent;
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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK's change cursor: the highest change number applied, sent with every subscribe; each change
 * reaches the listener once, whether it came live or replayed; the subscribe result raises the cursor to the
 * couple's newest change; a server that no longer keeps the changes after the cursor resets it and tells the
 * app; an old server that does not number changes still works. The test plays the server.
 */
class ChangeCursorTest {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private EmbeddedChannel channel;
    private SessionTransport transport;
    private SessionLifecycle session;
    private final List<Message> changes = new CopyOnWriteArrayList<>();
    private final AtomicInteger lost = new AtomicInteger();

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        transport = new SessionTransport(channel.eventLoop(), Duration.ofSeconds(60));
        transport.attach(channel);
        DuetListener listener = new DuetListener() {
            @Override
            public void onMessageChanged(Message message) {
                changes.add(message);
            }

            @Override
            public void onMessageChangesLost() {
                lost.incrementAndGet();
            }
        };
        session = new SessionLifecycle(new InetSocketAddress("127.0.0.1", 1), null, channel.eventLoop(), () -> "token",
                null, 0, new ListenerCallbacks(Runnable::run, listener), transport, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        session.delivery().startChangesAfter(4);
        for (long seq = 1; seq <= 3; seq++) {
            push(Event.message(new MessageEvent(new Message().setSeq(seq).setClientMessageId("m" + seq).setText("t"))));
        }
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void replayedAndLiveChangesReachTheListenerOnceAndMoveTheCursorSentWithTheNextSubscribe() throws Exception {
        session.authenticated(new AuthAccepted().setUserId(7).setCoupleId(3).setDeviceId("phone"));
        Frame subscribe = channel.readOutbound();
        assertThat(args(subscribe).getAfterSeq()).isEqualTo(3);
        assertThat(args(subscribe).getAfterChange()).as("the cursor the app resumed with").isEqualTo(4);

        // The server replays two changes before its result, then one comes live.
        push(changed(2, 6, "edited"));
        push(changed(1, 7, null));
        answer(subscribe, new SubscribeResult(3, false).setLatestChange(9));
        assertThat(session.delivery().lastChange()).as("raised to the couple's newest by the result").isEqualTo(9);
        push(changed(3, 10, "live"));
        // Heard live, then replayed by a resubscribe: once.
        push(changed(3, 10, "live"));
        push(changed(2, 8, "older than the cursor"));

        assertThat(changes).extracting(Message::getSeq).containsExactly(2L, 1L, 3L);
        assertThat(session.delivery().lastChange()).isEqualTo(10);

        session.subscribe();
        assertThat(args(channel.readOutbound()).getAfterChange()).isEqualTo(10);
    }

    @Test
    void changesTheServerNoLongerKeepsAreReportedAndTheCursorStartsAgainFromWhatItKeeps() throws Exception {
        session.delivery().startChangesAfter(50);
        push(Event.messageChangesLost(new MessageChangesLostEvent(50, 3)));
        push(changed(1, 3, "kept"));

        assertThat(lost).hasValue(1);
        assertThat(changes).extracting(Message::getText).containsExactly("kept");
        assertThat(session.delivery().lastChange()).isEqualTo(3);
    }

    @Test
    void anOldServerThatDoesNotNumberChangesStillDeliversThemAndLeavesTheCursor() throws Exception {
        session.authenticated(new AuthAccepted().setUserId(7).setCoupleId(3).setDeviceId("phone"));
        answer(channel.readOutbound(), new SubscribeResult(3, false));
        push(Event.messageChanged(new MessageChangedEvent(new Message().setSeq(2).setText("a"))));
        push(Event.messageChanged(new MessageChangedEvent(new Message().setSeq(2).setText("b"))));

        assertThat(changes).extracting(Message::getText).containsExactly("a", "b");
        assertThat(session.delivery().lastChange()).isEqualTo(4);
    }

    private static Event changed(long seq, long change, String text) {
        Message message = new Message().setSeq(seq).setClientMessageId("m" + seq).setVersion(1);
        if (text == null) {
            message.setDeleted(true);
        } else {
            message.setText(text);
        }
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
