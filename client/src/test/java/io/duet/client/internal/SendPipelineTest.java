package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.thrift.UuidBytes;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The send pipeline's retry and forget logic, with no network and no real time: the session's "connection"
 * is an {@link EmbeddedChannel} whose event loop runs the pipeline, its timers and the call timeouts on
 * the test's thread with frozen time that the test advances; the test plays the server, reading each
 * {@code sendMessage} call the pipeline writes and answering it through the real {@link SessionTransport}.
 * A session move is what {@code SessionLifecycle.sessionMoved} does to the pipeline: forget the calls in
 * flight, fail them, transmit what waits ({@code SessionMoveTest} drives the lifecycle itself).
 */
class SendPipelineTest {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final String SEND_MESSAGE = commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR
            + "sendMessage";
    private static final long ME = 7;
    private static final long PARTNER = 8;

    private EmbeddedChannel channel;
    private SessionTransport transport;
    private SendPipeline pipeline;
    private long nextSeq = 100;
    /** The sends the pipeline handed on as stored by their replies, as "text@seq". */
    private final List<String> stored = new ArrayList<>();

    /** A {@code sendMessage} call the pipeline wrote: its Thrift sequence id and request. */
    private record Call(int seqid, SendMessageRequest request) {
        long ordinal() {
            return request.getOrdinal();
        }
    }

    @BeforeEach
    void connect() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        transport = new SessionTransport(channel.eventLoop(), Duration.ofSeconds(60));
        transport.attach(channel);
        pipeline = new SendPipeline(channel.eventLoop(), transport, () -> ConnectionState.CONNECTED,
                (request, result) -> stored.add(request.getText() + "@" + result.getSeq()));
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aFailureOfACallWrittenOffByAMoveSchedulesNoRetryAndTheSendGoesOutAtOnceOnTheNewRoute() throws Exception {
        CompletableFuture<SendMessageResult> first = send("first");
        CompletableFuture<SendMessageResult> second = send("second");
        List<Call> before = transmitted();
        assertThat(ordinals(before)).containsExactly(1L, 2L);

        // The session moved: the lifecycle writes the calls off, then fails them. Their failures belong to
        // an older generation and must leave the sends free to go out now, in order, on the new route.
        pipeline.forgetInFlight();
        transport.failAll("session moved");
        pipeline.transmitWaiting();
        List<Call> after = transmitted();
        assertThat(ordinals(after)).as("resent at once, in order").containsExactly(1L, 2L);
        assertThat(after).extracting(call -> call.request().getClientMessageId())
                .containsExactly(before.get(0).request().getClientMessageId(),
                        before.get(1).request().getClientMessageId());
        assertThat(after).extracting(call -> call.request().getAttempt()).containsExactly(2, 2);

        advance(Duration.ofSeconds(2));
        assertThat(transmitted()).as("no retry was scheduled for the written-off calls").isEmpty();
        ack(after.get(0));
        ack(after.get(1));
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(pipeline.pendingCount()).isZero();
    }

    @Test
    void theFailuresOfWrittenOffCallsWriteNothing() throws Exception {
        send("first");
        send("second");
        assertThat(transmitted()).hasSize(2);

        // The calls are written off and then fail (the old route's failures): none of that is the moment
        // to transmit. Whoever wrote them off transmits once the new route is up.
        pipeline.forgetInFlight();
        transport.failAll("session moved");
        assertThat(transmitted()).as("written by the failures of written-off calls").isEmpty();
        pipeline.transmitWaiting();
        assertThat(writesPerSend(transmitted()).values()).containsExactly(1, 1);
    }

    @Test
    void aMoveWritesEachPendingSendOnceEvenPastTheCapAndAgainAfterTheNextMove() throws Exception {
        int count = SendPipeline.MAX_SENDS_IN_FLIGHT + 8;
        List<CompletableFuture<SendMessageResult>> sent = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            sent.add(send("message " + i));
        }
        assertThat(transmitted()).as("the cap before the move").hasSize(SendPipeline.MAX_SENDS_IN_FLIGHT);

        sessionMoved();
        List<Call> moved = transmitted();
        assertThat(moved).as("the cap after the move, in order").hasSize(SendPipeline.MAX_SENDS_IN_FLIGHT);
        assertThat(ordinals(moved)).isSorted().doesNotHaveDuplicates();

        // The session moves again before any answer, and this time the old stream's calls are answered
        // only after the sends went out on the new one (late refusals from the old owner).
        pipeline.forgetInFlight();
        pipeline.transmitWaiting();
        List<Call> movedAgain = transmitted();
        assertThat(writesPerSend(movedAgain)).hasSize(SendPipeline.MAX_SENDS_IN_FLIGHT)
                .allSatisfy((id, writes) -> assertThat(writes).as("writes of %s", id).isEqualTo(1));
        for (Call call : moved) {
            refuse(call, ErrorCode.UNAVAILABLE, 50);
        }
        advance(Duration.ofSeconds(1));
        assertThat(transmitted()).as("written because of answers to written-off calls").isEmpty();

        // As the current calls are acknowledged, the 8 that waited go out, once each.
        List<Call> rest = new ArrayList<>();
        for (Call call : movedAgain) {
            ack(call);
            rest.addAll(transmitted());
        }
        advance(Duration.ofSeconds(2));
        rest.addAll(transmitted());
        assertThat(ordinals(rest)).as("the rest, once each, in order")
                .containsExactlyElementsOf(ordinalsFrom(SendPipeline.MAX_SENDS_IN_FLIGHT + 1, count));
        rest.forEach(this::ackQuietly);
        advance(Duration.ofSeconds(2));
        assertThat(transmitted()).as("nothing left to send").isEmpty();
        assertThat(sent).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(pipeline.pendingCount()).isZero();
    }

    @Test
    void aMoveCancelsAScheduledRetry() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("hello");
        refuse(single(transmitted()), ErrorCode.UNAVAILABLE, 5000);
        advance(Duration.ofMillis(100));
        assertThat(transmitted()).as("waiting out the server's retry-after").isEmpty();

        sessionMoved();
        Call resent = single(transmitted());
        assertThat(resent.request().getAttempt()).isEqualTo(2);
        ack(resent);
        assertThat(sent).isCompleted();
    }

    @Test
    void aRetryCancelledByAMoveDoesNotCutShortALaterOne() throws Exception {
        send("hello");
        refuse(single(transmitted()), ErrorCode.UNAVAILABLE, 1000);
        sessionMoved();
        // The new owner is busy too, for longer: the retry cancelled by the move must not cut this one short.
        refuse(single(transmitted()), ErrorCode.UNAVAILABLE, 3000);
        advance(Duration.ofMillis(2999));
        assertThat(transmitted()).as("sent before the latest retry-after").isEmpty();
        advance(Duration.ofMillis(1));
        assertThat(single(transmitted()).request().getAttempt()).isEqualTo(3);
    }

    @Test
    void busyIsRetriedAfterTheServersRetryAfter() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("hello");
        Call call = single(transmitted());
        refuse(call, ErrorCode.BUSY, 300);
        assertThat(sent).as("BUSY is transient").isNotDone();

        advance(Duration.ofMillis(299));
        assertThat(transmitted()).isEmpty();
        advance(Duration.ofMillis(1));
        Call retry = single(transmitted());
        assertThat(retry.request().getClientMessageId()).isEqualTo(call.request().getClientMessageId());
        assertThat(retry.ordinal()).isEqualTo(call.ordinal());
        assertThat(retry.request().getAttempt()).isEqualTo(2);
        ack(retry);
        assertThat(sent).isCompleted();
    }

    @Test
    void aLostCallIsRetriedAfterTheDefaultDelay() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("hello");
        single(transmitted());
        // The connection stays up but the call gets no answer; a failure that names no delay.
        transport.failAll("no reply");
        advance(Duration.ofMillis(499));
        assertThat(transmitted()).isEmpty();
        advance(Duration.ofMillis(1));
        ack(single(transmitted()));
        assertThat(sent).isCompleted();
    }

    @Test
    void perSenderOrderHoldsAcrossBusyRetriesAndMoves() throws Exception {
        List<CompletableFuture<SendMessageResult>> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sent.add(send("message " + i));
        }
        List<Call> calls = transmitted();
        assertThat(ordinals(calls)).containsExactly(1L, 2L, 3L);
        assertThat(calls).extracting(call -> call.request().getAfterOrdinal()).containsExactly(0L, 1L, 2L);

        ack(calls.get(0));
        refuse(calls.get(1), ErrorCode.BUSY, 200);
        // 3 is still in flight when the session moves; 2 waits for its retry.
        sessionMoved();
        List<Call> resent = transmitted();
        assertThat(ordinals(resent)).as("2 before 3, both at once, each once").containsExactly(2L, 3L);
        assertThat(resent).extracting(call -> call.request().getAfterOrdinal()).containsExactly(1L, 2L);

        // The new owner refuses 2 as BUSY again; it goes out again once that has passed, still naming 1.
        refuse(resent.get(0), ErrorCode.BUSY, 200);
        advance(Duration.ofMillis(200));
        Call twoAgain = single(transmitted());
        assertThat(twoAgain.ordinal()).isEqualTo(2L);
        assertThat(twoAgain.request().getAfterOrdinal()).isEqualTo(1L);
        ack(twoAgain);
        ack(resent.get(1));
        advance(Duration.ofSeconds(1));
        assertThat(transmitted()).as("nothing left to resend").isEmpty();
        List<Long> seqs = new ArrayList<>();
        for (CompletableFuture<SendMessageResult> future : sent) {
            seqs.add(future.get(0, TimeUnit.SECONDS).getSeq());
        }
        assertThat(seqs).as("stored in the order sent").isSorted();
    }

    @Test
    void onlyOurOwnMessageAcknowledgesASendNotThePartnersWithTheSameId() throws Exception {
        CompletableFuture<SendMessageResult> sent = send("hello");
        String id = single(transmitted()).request().getClientMessageId();

        pipeline.acknowledgeIfOurs(message(41, id, PARTNER), ME);
        assertThat(sent).as("the partner's message with the same client message id").isNotDone();
        assertThat(pipeline.pendingCount()).isEqualTo(1);

        pipeline.acknowledgeIfOurs(message(42, id, ME), ME);
        assertThat(sent.get(0, TimeUnit.SECONDS).getSeq()).isEqualTo(42);
        assertThat(pipeline.pendingCount()).isZero();
    }

    @Test
    void onlyASendAcknowledgedByItsReplyIsHandedOnAsStored() throws Exception {
        CompletableFuture<SendMessageResult> byReply = send("by reply");
        CompletableFuture<SendMessageResult> byEvent = send("by event");
        List<Call> calls = transmitted();

        ack(calls.get(0));
        assertThat(byReply).isCompleted();
        assertThat(stored).containsExactly("by reply@100");

        pipeline.acknowledgeIfOurs(message(101, calls.get(1).request().getClientMessageId(), ME), ME);
        ack(calls.get(1));
        assertThat(byEvent.get(0, TimeUnit.SECONDS).getSeq()).isEqualTo(101);
        assertThat(stored).as("its message came back as an event, which is delivered as it is; the reply after it "
                + "changes nothing")
                .containsExactly("by reply@100");

    }

    @Test
    void theOrderStreamIsNamedUntilTheServerKeepsItThenLeftOutUntilTheSessionMoves() throws Exception {
        send("first");
        send("second");
        List<Call> pipelined = transmitted();
        assertThat(pipelined).as("named while the server has not said it keeps it")
                .allSatisfy(call -> assertThat(call.request().isSetOrderStream()).isTrue());
        String stream = pipelined.get(0).request().getOrderStream();
        ackKeepingStream(pipelined.get(0));
        ack(pipelined.get(1));

        send("third");
        Call third = single(transmitted());
        assertThat(third.request().isSetOrderStream()).as("kept by the session: left out").isFalse();
        assertThat(third.ordinal()).isEqualTo(3L);
        assertThat(third.request().getAfterOrdinal()).isEqualTo(2L);

        // A new session on the server's side keeps nothing: the resend names the stream again.
        sessionMoved();
        Call resent = single(transmitted());
        assertThat(resent.request().getOrderStream()).isEqualTo(stream);
        assertThat(resent.ordinal()).isEqualTo(3L);
    }

    @Test
    void aServerThatNeverSaysItKeepsTheStreamGetsItInEverySend() throws Exception {
        send("first");
        ack(single(transmitted()));
        send("second");
        assertThat(single(transmitted()).request().isSetOrderStream()).as("an older server").isTrue();
    }

    @Test
    void aSendRefusedForAnUndeclaredStreamGoesOutAgainAtOnceNamingIt() throws Exception {
        send("first");
        ackKeepingStream(single(transmitted()));
        CompletableFuture<SendMessageResult> second = send("second");
        Call left = single(transmitted());
        assertThat(left.request().isSetOrderStream()).isFalse();

        // Not expected of a route that acknowledged the stream; a server that forgot it anyway.
        refuse(left, ErrorCode.ORDER_STREAM_UNDECLARED, 0);
        assertThat(second).as("not a final refusal").isNotDone();
        advance(Duration.ZERO);
        Call again = single(transmitted());
        assertThat(again.request().isSetOrderStream()).isTrue();
        assertThat(again.request().getClientMessageId()).isEqualTo(left.request().getClientMessageId());
        assertThat(again.ordinal()).isEqualTo(2L);
        assertThat(again.request().getAfterOrdinal()).isEqualTo(1L);
        ack(again);
        assertThat(second).isCompleted();
    }

    @Test
    void aServerThatTakesIdsAsBytesGetsThe16BytesOfTheUuidAndNoString() throws Exception {
        transport.serverTakes(new SubscribeResult(0, false).setTakesClientMessageIdBytes(true));
        CompletableFuture<SendMessageResult> sent = send("hello");
        Call call = single(transmitted());
        assertThat(call.request().isSetClientMessageId()).isFalse();
        ByteBuffer bytes = call.request().bufferForClientMessageIdBytes();
        assertThat(bytes.remaining()).isEqualTo(16);
        assertThat(UuidBytes.toUuid(bytes).version()).as("the SDK's random UUID, most significant first").isEqualTo(4);

        ack(call);
        assertThat(sent).isCompleted();
        assertThat(stored).containsExactly("hello@100");
        // Our own message coming back (a catch-up) names it as the string the server made of the bytes.
        CompletableFuture<SendMessageResult> second = send("second");
        String secondId = uuidOf(single(transmitted()));
        pipeline.acknowledgeIfOurs(message(101, secondId, ME), ME);
        assertThat(second).isCompleted();
    }

    @Test
    void anInvalidArgumentForAnIdAsBytesFailsTheSendAtOnce() throws Exception {
        transport.serverTakes(new SubscribeResult(0, false).setTakesClientMessageIdBytes(true));
        CompletableFuture<SendMessageResult> sent = send("hello");
        Call asBytes = single(transmitted());
        // Only this route's replies are read under its subscribe result: a refusal is a real one.
        refuse(asBytes, ErrorCode.INVALID_ARGUMENT, 0);
        assertThat(sent).isCompletedExceptionally();
        advance(Duration.ofSeconds(5));
        assertThat(transmitted()).as("not sent again").isEmpty();
        send("next");
        assertThat(single(transmitted()).request().isSetClientMessageIdBytes()).as("still bytes").isTrue();
    }

    /** The client message id of {@code call}, whichever form it has. */
    private static String uuidOf(Call call) {
        if (call.request().isSetClientMessageId()) {
            return call.request().getClientMessageId();
        }
        ByteBuffer bytes = call.request().bufferForClientMessageIdBytes();
        return UuidBytes.toUuid(bytes).toString();
    }

    private CompletableFuture<SendMessageResult> send(String text) {
        CompletableFuture<SendMessageResult> future = pipeline.send(text);
        channel.runPendingTasks();
        return future;
    }

    /** What {@code SessionLifecycle.sessionMoved} does to the pipeline and the transport, in its order. */
    private void sessionMoved() {
        pipeline.forgetInFlight();
        transport.failAll("session moved");
        pipeline.transmitWaiting();
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    /** The calls written since the last look, in the order written. */
    private List<Call> transmitted() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (Frame frame = channel.readOutbound(); frame != null; frame = channel.readOutbound()) {
            assertThat(frame.type()).isEqualTo(FrameType.CALL);
            ThriftMessages.Incoming incoming = ThriftMessages.read(CODEC, frame.payload(), WireProtocol.COMPACT);
            assertThat(incoming.header().name).isEqualTo(SEND_MESSAGE);
            calls.add(new Call(incoming.header().seqid,
                    incoming.readBody(new ChatService.sendMessage_args()).getRequest()));
        }
        return calls;
    }

    private static Call single(List<Call> calls) {
        assertThat(calls).hasSize(1);
        return calls.get(0);
    }

    private static List<Long> ordinals(List<Call> calls) {
        return calls.stream().map(Call::ordinal).collect(Collectors.toList());
    }

    /** How many times each send was written, by client message id, in the order first written. */
    private static Map<String, Integer> writesPerSend(List<Call> calls) {
        Map<String, Integer> writes = new LinkedHashMap<>();
        calls.forEach(call -> writes.merge(call.request().getClientMessageId(), 1, Integer::sum));
        return writes;
    }

    private static List<Long> ordinalsFrom(long first, long last) {
        List<Long> ordinals = new ArrayList<>();
        for (long ordinal = first; ordinal <= last; ordinal++) {
            ordinals.add(ordinal);
        }
        return ordinals;
    }

    private void ackQuietly(Call call) {
        try {
            ack(call);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void ack(Call call) throws Exception {
        reply(call, new ChatService.sendMessage_result().setSuccess(new SendMessageResult(nextSeq++, 1000, false)));
    }

    /** Acknowledges {@code call} as a server that keeps the order stream it named for the session. */
    private void ackKeepingStream(Call call) throws Exception {
        reply(call, new ChatService.sendMessage_result().setSuccess(
                new SendMessageResult(nextSeq++, 1000, false).setOrderStreamKept(true)));
    }

    private void refuse(Call call, ErrorCode code, int retryAfterMillis) throws Exception {
        DuetError error = new DuetError(code).setRetryAfterMillis(retryAfterMillis);
        reply(call, new ChatService.sendMessage_result().setError(error));
    }

    private void reply(Call call, TBase<?, ?> result) throws Exception {
        transport.onReply(ThriftMessages.encodeReply(CODEC, WireProtocol.COMPACT, SEND_MESSAGE, call.seqid(), result));
    }

    private static Message message(long seq, String clientMessageId, long senderId) {
        return new Message().setSeq(seq).setClientMessageId(clientMessageId).setSenderId(senderId)
                .setSentAtMillis(1000).setText("hello");
    }
}
