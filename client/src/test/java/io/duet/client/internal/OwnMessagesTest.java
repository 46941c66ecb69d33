package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetListener;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server does not push a session its own messages: the reply to a send is all the session hears of
 * it. The SDK puts the message in the timeline from that reply, exactly once and in sequence order, and
 * counts it as seen where it falls, so an own message is never taken for a gap; a catch-up that replays
 * it (its reply lost with the connection) does not deliver it twice. The session runs on an {@link
 * EmbeddedChannel} with frozen time; the test plays the server.
 */
class OwnMessagesTest {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final long ME = 7;
    private static final long PARTNER = 8;

    private EmbeddedChannel channel;
    private SessionTransport transport;
    private SessionLifecycle session;
    private final List<Message> timeline = new CopyOnWriteArrayList<>();

    /** A call the session wrote: its method, Thrift sequence id and arguments. */
    private record Call(String method, int seqid, byte[] payload) {
    }

    @BeforeEach
    void connect() throws Exception {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        transport = new SessionTransport(channel.eventLoop(), Duration.ofSeconds(60));
        transport.attach(channel);
        DuetListener listener = new DuetListener() {
            @Override
            public void onMessage(Message message) {
                timeline.add(message);
            }
        };
        session = new SessionLifecycle(new InetSocketAddress("127.0.0.1", 1), null, channel.eventLoop(), () -> "token",
                null, 0, new ListenerCallbacks(Runnable::run, listener), transport, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        session.authenticated(new AuthAccepted().setUserId(ME).setCoupleId(3).setDeviceId("phone"));
        answerSubscribe(0);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void anOwnMessageEntersTheTimelineFromItsReplyOnce() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("hello");
        reply(single("sendMessage"), 1);

        assertThat(sent.get(0, TimeUnit.SECONDS).getSeq()).isEqualTo(1);
        assertThat(timeline).singleElement().satisfies(message -> {
            assertThat(message.getSeq()).isEqualTo(1);
            assertThat(message.getText()).isEqualTo("hello");
            assertThat(message.getSenderId()).isEqualTo(ME);
            assertThat(message.getSenderDeviceId()).isEqualTo("phone");
            assertThat(message.getSentAtMillis()).isEqualTo(5001);
            assertThat(message.getKind()).isEqualTo(MessageKind.TEXT);
            assertThat(message.getClientMessageId()).isNotEmpty();
        });
        assertThat(session.delivery().lastSeq()).isEqualTo(1);

        // Catch-up of another session would bring it back: it is not delivered again.
        push(timeline.get(0).deepCopy());
        push(partnerMessage(2));
        assertThat(seqs()).containsExactly(1L, 2L);
    }

    @Test
    void anOwnMessageAcknowledgedBeforeThePartnersMessageBeforeItWaitsForItAndIsNoGap() throws Exception {
        send("mine");
        // Stored in the same batch as the partner's seq 1, whose event comes after the reply.
        reply(single("sendMessage"), 2);
        assertThat(timeline).as("held until seq 1 comes").isEmpty();
        assertThat(session.delivery().lastSeq()).isZero();

        push(partnerMessage(1));
        assertThat(seqs()).containsExactly(1L, 2L);
        assertThat(session.delivery().lastSeq()).isEqualTo(2);

        push(partnerMessage(3));
        advance(Duration.ofSeconds(5));
        assertThat(seqs()).containsExactly(1L, 2L, 3L);
        assertThat(calls()).as("no gap: nothing resubscribes").isEmpty();
    }

    @Test
    void aCatchUpAfterTheReplyWasLostDeliversTheOwnMessageOnce() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("lost reply");
        Call lost = single("sendMessage");

        // The session moves before the reply comes; the message was stored as 1 all the same.
        session.sessionMoved();
        List<Call> again = calls();
        assertThat(again).extracting(Call::method).contains("subscribe", "sendMessage");
        Call subscribe = again.stream().filter(call -> call.method().equals("subscribe")).findFirst().orElseThrow();
        assertThat(args(subscribe).getAfterSeq()).isZero();
        replySubscribe(subscribe, 1);
        // The catch-up replays it: that acknowledges the send.
        push(new Message().setSeq(1).setClientMessageId(clientMessageIdOf(lost)).setSenderId(ME)
                .setSenderDeviceId("phone").setSentAtMillis(5001).setText("lost reply"));
        assertThat(sent.get(0, TimeUnit.SECONDS).getSeq()).isEqualTo(1);

        // The retransmitted send's reply (a duplicate) comes after: nothing is delivered twice.
        for (Call call : again) {
            if (call.method().equals("sendMessage")) {
                reply(call, 1);
            }
        }
        reply(lost, 1);
        assertThat(seqs()).containsExactly(1L);
        assertThat(session.delivery().lastSeq()).isEqualTo(1);
    }

    private CompletableFuture<SendMessageResult> send(String text) {
        CompletableFuture<SendMessageResult> future = session.sends().send(text);
        channel.runPendingTasks();
        return future;
    }

    private void push(Message message) {
        session.delivery().onEvent(CODEC.encode(Event.message(new MessageEvent(message))));
        channel.runPendingTasks();
    }

    private static Message partnerMessage(long seq) {
        return new Message().setSeq(seq).setClientMessageId("p" + seq).setSenderId(PARTNER)
                .setSenderDeviceId("partner-phone").setSentAtMillis(4000 + seq).setText("from the partner " + seq);
    }

    private List<Long> seqs() {
        return timeline.stream().map(Message::getSeq).toList();
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    /** The calls written since the last look, in order. */
    private List<Call> calls() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (Frame frame = channel.readOutbound(); frame != null; frame = channel.readOutbound()) {
            assertThat(frame.type()).isEqualTo(FrameType.CALL);
            ThriftMessages.Incoming incoming = ThriftMessages.read(CODEC, frame.payload(), WireProtocol.COMPACT);
            String name = incoming.header().name;
            calls.add(new Call(name.substring(name.indexOf(ThriftMessages.SERVICE_SEPARATOR) + 1),
                    incoming.header().seqid, frame.payload()));
        }
        return calls;
    }

    private Call single(String method) throws Exception {
        List<Call> calls = calls();
        assertThat(calls).extracting(Call::method).containsExactly(method);
        return calls.get(0);
    }

    private void answerSubscribe(long latestSeq) throws Exception {
        Call subscribe = single("subscribe");
        assertThat(args(subscribe).isNoEcho()).as("the SDK asks for no echo").isTrue();
        replySubscribe(subscribe, latestSeq);
    }

    private void replySubscribe(Call call, long latestSeq) throws Exception {
        answer(call, new ChatService.subscribe_result().setSuccess(new SubscribeResult(latestSeq, false)));
    }

    private void reply(Call call, long seq) throws Exception {
        answer(call, new ChatService.sendMessage_result().setSuccess(new SendMessageResult(seq, 5000 + seq, false)));
    }

    private void answer(Call call, TBase<?, ?> result) throws Exception {
        transport.onReply(ThriftMessages.encodeReply(CODEC, WireProtocol.COMPACT,
                commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + call.method(), call.seqid(), result));
        channel.runPendingTasks();
    }

    private static SubscribeRequest args(Call subscribe) throws Exception {
        return ThriftMessages.read(CODEC, subscribe.payload(), WireProtocol.COMPACT)
                .readBody(new ChatService.subscribe_args()).getRequest();
    }

    private static String clientMessageIdOf(Call send) throws Exception {
        return ThriftMessages.read(CODEC, send.payload(), WireProtocol.COMPACT)
                .readBody(new ChatService.sendMessage_args()).getRequest().getClientMessageId();
    }
}
