package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.ConnectionState;
import io.duet.client.DuetListener;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session move ({@code SESSION_MOVED} notice) as the real {@link SessionLifecycle} handles it, over an
 * {@link EmbeddedChannel} with frozen time: the test plays the presentation server, reading every call
 * the session writes. Each unacknowledged send must be written once on the new stream, right behind the
 * new subscribe, however many times the session moves; a subscribe refused for now (the couple is still
 * moving) is asked again on the same connection. Other calls ({@link RetriedCalls}) are asked again after
 * a move or a refusal for now when that is safe, and wait for the session while it reconnects.
 */
class SessionMoveTest {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    private static final String PREFIX = commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR;

    private EmbeddedChannel channel;
    private SessionTransport transport;
    private SessionLifecycle lifecycle;
    private long nextSeq = 100;

    /**
     * A call the session wrote: its method, Thrift sequence id, for a send its client message id, and the name
     * it carried (in full, or a method id).
     */
    private record Call(String method, int seqid, String clientMessageId, String wireName) {
    }

    @BeforeEach
    void connect() throws Exception {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        transport = new SessionTransport(channel.eventLoop(), CALL_TIMEOUT);
        lifecycle = new SessionLifecycle(new InetSocketAddress("127.0.0.1", 9), null, channel.eventLoop(), () -> "token",
                null, 0, new ListenerCallbacks(Runnable::run, new DuetListener() { }), transport,
                Duration.ofMillis(100), Duration.ofSeconds(1));
        lifecycle.authenticate(channel);
        assertThat(((Frame) channel.readOutbound()).type()).isEqualTo(FrameType.AUTH);
        lifecycle.authenticated(new AuthAccepted().setUserId(7).setCoupleId(3).setServerTimeMillis(1000));
        answerSubscribe(single(written()));
        assertThat(lifecycle.state()).isEqualTo(ConnectionState.CONNECTED);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aMoveResubscribesAndWritesEachPendingSendOnceBehindIt() throws Exception {
        List<CompletableFuture<SendMessageResult>> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sent.add(send("message " + i));
        }
        List<Call> before = written();
        assertThat(methods(before)).containsExactly("sendMessage", "sendMessage", "sendMessage");

        lifecycle.sessionMoved();
        List<Call> after = written();
        assertThat(methods(after)).as("the subscribe, then each send once")
                .containsExactly("subscribe", "sendMessage", "sendMessage", "sendMessage");
        assertThat(sends(after)).containsExactlyElementsOf(sends(before));

        answerSubscribe(after.get(0));
        advance(Duration.ofSeconds(2));
        assertThat(written()).as("nothing written after the move's own writes").isEmpty();
        for (Call call : after.subList(1, after.size())) {
            ack(call);
        }
        assertThat(sent).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(lifecycle.sends().pendingCount()).isZero();
    }

    @Test
    void movesInARowWriteEachSendOncePerMove() throws Exception {
        int count = SendPipeline.MAX_SENDS_IN_FLIGHT + 4;
        for (int i = 1; i <= count; i++) {
            send("message " + i);
        }
        List<String> firstWritten = sends(written());
        assertThat(firstWritten).hasSize(SendPipeline.MAX_SENDS_IN_FLIGHT).doesNotHaveDuplicates();

        for (int move = 1; move <= 3; move++) {
            lifecycle.sessionMoved();
            List<Call> calls = written();
            assertThat(calls.get(0).method()).isEqualTo("subscribe");
            assertThat(sends(calls)).as("move %d: the first %d sends, once each, in order", move,
                    SendPipeline.MAX_SENDS_IN_FLIGHT).containsExactlyElementsOf(firstWritten);
        }
    }

    @Test
    void aSubscribeRefusedForNowAfterAMoveIsAskedAgainOnTheSameConnection() throws Exception {
        lifecycle.sessionMoved();
        Call subscribe = single(written());
        refuseSubscribe(subscribe, ErrorCode.UNAVAILABLE, 50);
        assertThat(channel.isOpen()).as("connection kept").isTrue();
        advance(Duration.ofMillis(49));
        assertThat(written()).as("asked again before the server's retry-after").isEmpty();
        advance(Duration.ofMillis(1));
        Call again = single(written());
        assertThat(again.method()).isEqualTo("subscribe");
        answerSubscribe(again);
        assertThat(lifecycle.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aRetryOfARefusedSubscribeIsDroppedWhenTheSessionMovesMeanwhile() throws Exception {
        lifecycle.sessionMoved();
        refuseSubscribe(single(written()), ErrorCode.BUSY, 500);
        lifecycle.sessionMoved();
        Call newer = single(written());
        advance(Duration.ofSeconds(1));
        assertThat(written()).as("the superseded retry").isEmpty();
        answerSubscribe(newer);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aSubscribeRefusedForTooLongEndsTheConnection() throws Exception {
        lifecycle.sessionMoved();
        long refusedFor = 0;
        while (refusedFor < Subscription.REFUSED_FOR_AT_MOST_MILLIS) {
            refuseSubscribe(single(written()), ErrorCode.UNAVAILABLE, 1000);
            assertThat(channel.isOpen()).as("refused for %d ms", refusedFor).isTrue();
            advance(Duration.ofMillis(1000));
            refusedFor += 1000;
        }
        refuseSubscribe(single(written()), ErrorCode.UNAVAILABLE, 1000);
        assertThat(channel.isOpen()).as("refused for %d ms", refusedFor).isFalse();
    }

    @Test
    void aSubscribeRefusedForGoodEndsTheConnection() throws Exception {
        lifecycle.sessionMoved();
        reply(single(written()), new ChatService.subscribe_result().setError(new DuetError(ErrorCode.PERMISSION_DENIED)));
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void callsLostInAMoveAreAskedAgainBehindTheSubscribeOnlyIfSafeToRepeat() throws Exception {
        CompletableFuture<Object> markRead = call("markRead", new ChatService.markRead_args(new MarkReadRequest(5)),
                new ChatService.markRead_result(), ClientSession.Retry.SAFE_TO_REPEAT);
        CompletableFuture<Object> edit = call("editMessage",
                new ChatService.editMessage_args(new EditMessageRequest(3, "new").setExpectedVersion(1)),
                new ChatService.editMessage_result(), ClientSession.Retry.AT_MOST_ONCE);
        assertThat(methods(written())).containsExactly("markRead", "editMessage");

        lifecycle.sessionMoved();
        List<Call> after = written();
        assertThat(methods(after)).as("the subscribe, then the safe call once").containsExactly("subscribe", "markRead");
        assertThat(edit).isCompletedExceptionally();
        assertThatThrownBy(edit::join).hasMessageContaining("outcome unknown");

        answerSubscribe(after.get(0));
        reply(after.get(1), new ChatService.markRead_result().setSuccess(new ReadState()));
        assertThat(markRead).isCompleted();
    }

    @Test
    void aCallRefusedForNowIsAskedAgainAfterTheServersDelayEvenIfNotSafeToRepeat() throws Exception {
        CompletableFuture<Object> edit = call("editMessage",
                new ChatService.editMessage_args(new EditMessageRequest(3, "new").setExpectedVersion(1)),
                new ChatService.editMessage_result(), ClientSession.Retry.AT_MOST_ONCE);
        reply(single(written()), new ChatService.editMessage_result()
                .setError(new DuetError(ErrorCode.UNAVAILABLE).setRetryAfterMillis(50)));
        advance(Duration.ofMillis(49));
        assertThat(written()).as("before the server's delay").isEmpty();
        advance(Duration.ofMillis(1));
        Call again = single(written());
        assertThat(again.method()).isEqualTo("editMessage");
        reply(again, new ChatService.editMessage_result().setSuccess(new Message()));
        assertThat(edit).isCompleted();
    }

    @Test
    void aCallMadeWhileReconnectingWaitsForTheNextSession() throws Exception {
        lifecycle.lost("test: connection reset");
        CompletableFuture<Object> markRead = call("markRead", new ChatService.markRead_args(new MarkReadRequest(5)),
                new ChatService.markRead_result(), ClientSession.Retry.AT_MOST_ONCE);
        assertThat(written()).as("nothing written while disconnected").isEmpty();
        assertThat(markRead).isNotDone();

        lifecycle.authenticate(channel);
        assertThat(((Frame) channel.readOutbound()).type()).isEqualTo(FrameType.AUTH);
        lifecycle.authenticated(new AuthAccepted().setUserId(7).setCoupleId(3).setServerTimeMillis(1000));
        answerSubscribe(single(written()));
        Call call = single(written());
        assertThat(call.method()).as("written once the session is up").isEqualTo("markRead");
        reply(call, new ChatService.markRead_result().setSuccess(new ReadState()));
        assertThat(markRead).isCompleted();
    }

    @Test
    void aCallThatFindsNoSessionWithinItsDeadlineFails() throws Exception {
        lifecycle.lost("test: connection reset");
        CompletableFuture<Object> markRead = call("markRead", new ChatService.markRead_args(new MarkReadRequest(5)),
                new ChatService.markRead_result(), ClientSession.Retry.SAFE_TO_REPEAT);
        advance(CALL_TIMEOUT.minusMillis(1));
        assertThat(markRead).isNotDone();
        advance(Duration.ofMillis(1));
        assertThatThrownBy(markRead::join).hasMessageContaining("not answered within " + CALL_TIMEOUT.toMillis() + " ms");
    }

    private CompletableFuture<Object> call(String method, TBase<?, ?> args, TBase<?, ?> emptyResult,
            ClientSession.Retry retry) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        lifecycle.calls().call(commonConstants.CHAT_SERVICE, method, args, emptyResult, retry, result);
        channel.runPendingTasks();
        return result;
    }

    @Test
    void callsAreNamedByTheirMethodIdsOnlyWhileTheSubscribeResultOfTheCurrentRouteAllowsIt() throws Exception {
        // connect() subscribed on a server that did not say it takes method ids (an older one).
        send("to an older server");
        Call inFull = single(written());
        assertThat(inFull.wireName()).isEqualTo("chat:sendMessage");
        ack(inFull);

        lifecycle.sessionMoved();
        // A newer server's table holds every id of ours.
        answerSubscribe(single(written()), commonConstants.METHOD_IDS_VERSION + 1);
        send("by id");
        Call byId = single(written());
        assertThat(byId.wireName()).isEqualTo("1");
        ack(byId);

        // Moved again, perhaps to an older server: in full until its subscribe result says otherwise.
        lifecycle.sessionMoved();
        CompletableFuture<SendMessageResult> pending = send("while resubscribing");
        List<Call> calls = written();
        assertThat(calls).extracting(Call::wireName).containsExactly("chat:subscribe", "chat:sendMessage");
        answerSubscribe(calls.get(0), 0);
        ack(calls.get(1));
        assertThat(pending).isCompleted();
        send("after the older server's subscribe result");
        assertThat(single(written()).wireName()).isEqualTo("chat:sendMessage");
    }

    private CompletableFuture<SendMessageResult> send(String text) {
        CompletableFuture<SendMessageResult> future = lifecycle.sends().send(text);
        channel.runPendingTasks();
        return future;
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    /** The calls written since the last look, in the order written. */
    private List<Call> written() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (Frame frame = channel.readOutbound(); frame != null; frame = channel.readOutbound()) {
            assertThat(frame.type()).isEqualTo(FrameType.CALL);
            ThriftMessages.Incoming incoming = ThriftMessages.read(CODEC, frame.payload(), WireProtocol.COMPACT);
            String fullName = MethodIds.fullName(incoming.header().name);
            assertThat(fullName).startsWith(PREFIX);
            String method = fullName.substring(PREFIX.length());
            String id = method.equals("sendMessage")
                    ? incoming.readBody(new ChatService.sendMessage_args()).getRequest().getClientMessageId() : null;
            calls.add(new Call(method, incoming.header().seqid, id, incoming.header().name));
        }
        return calls;
    }

    private static Call single(List<Call> calls) {
        assertThat(calls).hasSize(1);
        return calls.get(0);
    }

    private static List<String> methods(List<Call> calls) {
        return calls.stream().map(Call::method).collect(Collectors.toList());
    }

    /** The client message ids of the sends among {@code calls}, in the order written. */
    private static List<String> sends(List<Call> calls) {
        return calls.stream().filter(call -> call.method().equals("sendMessage")).map(Call::clientMessageId)
                .collect(Collectors.toList());
    }

    private void answerSubscribe(Call call) throws Exception {
        answerSubscribe(call, 0);
    }

    /** @param methodIdsVersion the method-id table version the server says it takes; 0: it says nothing */
    private void answerSubscribe(Call call, int methodIdsVersion) throws Exception {
        assertThat(call.method()).isEqualTo("subscribe");
        SubscribeResult result = new SubscribeResult(0, false);
        if (methodIdsVersion > 0) {
            result.setMethodIdsVersion(methodIdsVersion);
        }
        reply(call, new ChatService.subscribe_result().setSuccess(result));
    }

    private void refuseSubscribe(Call call, ErrorCode code, int retryAfterMillis) throws Exception {
        assertThat(call.method()).isEqualTo("subscribe");
        reply(call, new ChatService.subscribe_result().setError(new DuetError(code).setRetryAfterMillis(retryAfterMillis)));
    }

    private void ack(Call call) throws Exception {
        reply(call, new ChatService.sendMessage_result().setSuccess(new SendMessageResult(nextSeq++, 1000, false)));
    }

    private void reply(Call call, TBase<?, ?> result) throws Exception {
        transport.onReply(ThriftMessages.encodeReply(CODEC, WireProtocol.COMPACT, PREFIX + call.method(), call.seqid(),
                result));
        channel.runPendingTasks();
    }
}
