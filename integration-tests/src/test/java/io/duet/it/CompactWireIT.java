package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.thrift.UuidBytes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The short forms of a send on a real cluster (issue 8, wire size): a method id for {@code chat:sendMessage},
 * the client message id as 16 bytes, the order stream named once per session. Ann's phone speaks the protocol
 * itself, in the short forms and in the full ones of older clients, on the same couple; Bob runs the SDK (which
 * uses the short forms once the server says it takes them). The same id sent as bytes and as a string is one
 * message, ordering holds with the stream left out, and a new session that leaves it out is refused.
 */
class CompactWireIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SEND_ID = MethodIds.idOrFullName(commonConstants.CHAT_SERVICE, "sendMessage");
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SharedCluster.get();
    }

    @Test
    void shortFormsAndFullFormsAreOneProtocolWithOneDedupAndOneOrder() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener bobHears = new RecordingListener();
        String stream = UUID.randomUUID().toString();
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        try (WireSession phone = new WireSession(cluster.clientTcpEndpoint(0), couple.ann.getToken());
                DuetClient bob = couple.connect(couple.bob, 0, bobHears, 0)) {
            SubscribeResult subscribed = phone.subscribe();
            assertThat(subscribed.getMethodIdsVersion()).isEqualTo(commonConstants.METHOD_IDS_VERSION);
            assertThat(subscribed.isTakesClientMessageIdBytes()).isTrue();

            // The session's first send names its stream, by the method id and with the id as bytes.
            SendMessageResult one = phone.send(SEND_ID, withBytes(first, "one").setOrderStream(stream)
                    .setOrdinal(1).setAfterOrdinal(0));
            assertThat(phone.lastReplyName).as("the reply carries the name the call did").isEqualTo(SEND_ID);
            assertThat(one.isOrderStreamKept()).isTrue();
            // The next leaves the stream out; its retry, as an older client would send it, names the id as a string.
            SendMessageResult two = phone.send(SEND_ID, withBytes(second, "two").setOrdinal(2).setAfterOrdinal(1));
            assertThat(two.isDuplicate()).isFalse();
            assertThat(two.isSetOrderStreamKept()).as("it named no stream").isFalse();
            // A send that leaves its stream out is ordered by the kept one: ordinal 1 again, under a new id, has
            // had its place taken (by "two") and is refused; without the stream it would simply be stored.
            assertThatThrownBy(() -> phone.send(SEND_ID, withBytes(UUID.randomUUID(), "late").setOrdinal(1)
                    .setAfterOrdinal(0)))
                    .isInstanceOfSatisfying(DuetError.class,
                            error -> assertThat(error.getCode()).isEqualTo(ErrorCode.OUT_OF_ORDER));
            SendMessageResult retry = phone.send("chat:sendMessage", new SendMessageRequest(second.toString(), "two", 2)
                    .setOrderStream(stream).setOrdinal(2).setAfterOrdinal(1));
            assertThat(phone.lastReplyName).isEqualTo("chat:sendMessage");
            assertThat(retry.isDuplicate()).as("bytes and string name one message").isTrue();
            assertThat(retry.getSeq()).isEqualTo(two.getSeq());
            // An older client's send: full name, string id, no ordering.
            long old = phone.send("chat:sendMessage", new SendMessageRequest(UUID.randomUUID().toString(), "old", 1))
                    .getSeq();

            long bobs = bob.send("from bob's SDK").get(10, TimeUnit.SECONDS).getSeq();
            bobHears.awaitMessages(4, WAIT);
            Thread.sleep(300);
            assertThat(bobHears.snapshot()).extracting(Message::getText).containsExactly("one", "two", "old",
                    "from bob's SDK");
            assertThat(bobHears.snapshot().get(0).getClientMessageId()).as("the canonical string of the bytes")
                    .isEqualTo(first.toString());
            assertThat(bobHears.snapshot().get(1).getClientMessageId()).isEqualTo(second.toString());
            assertThat(bobs).isGreaterThan(old);
        }
    }

    @Test
    void aNewSessionMustNameItsStreamAgainBeforeLeavingItOut() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        String stream = UUID.randomUUID().toString();
        try (WireSession phone = new WireSession(cluster.clientTcpEndpoint(0), couple.ann.getToken())) {
            phone.subscribe();
            phone.send(SEND_ID, withBytes(UUID.randomUUID(), "one").setOrderStream(stream).setOrdinal(1)
                    .setAfterOrdinal(0));
        }
        // Reconnected: a new session has declared nothing.
        RecordingListener bobHears = new RecordingListener();
        try (WireSession phone = new WireSession(cluster.clientTcpEndpoint(0), couple.ann.getToken());
                DuetClient bob = couple.connect(couple.bob, 0, bobHears, 0)) {
            phone.subscribe();
            UUID two = UUID.randomUUID();
            assertThatThrownBy(() -> phone.send(SEND_ID, withBytes(two, "two").setOrdinal(2).setAfterOrdinal(1)))
                    .isInstanceOfSatisfying(DuetError.class, error -> {
                        assertThat(error.getCode()).isEqualTo(ErrorCode.ORDER_STREAM_UNDECLARED);
                        assertThat(error.getMessage()).contains("ordinal 2");
                    });
            SendMessageResult stored = phone.send(SEND_ID, withBytes(two, "two").setOrderStream(stream).setOrdinal(2)
                    .setAfterOrdinal(1));
            assertThat(stored.isDuplicate()).as("the refused send was not stored").isFalse();
            assertThat(stored.isOrderStreamKept()).isTrue();
            bobHears.awaitMessages(2, WAIT);
            assertThat(bobHears.snapshot()).extracting(Message::getText).containsExactly("one", "two");
        }
    }

    private static SendMessageRequest withBytes(UUID id, String text) {
        return new SendMessageRequest().setText(text).setAttempt(1).setClientMessageIdBytes(UuidBytes.of(id));
    }

    /** A session that speaks the protocol itself: one call at a time, events skipped. */
    private static final class WireSession implements AutoCloseable {
        private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

        private final RawSession raw;
        private int nextSeqid = 1;
        String lastReplyName;

        WireSession(InetSocketAddress server, String token) throws Exception {
            raw = new RawSession(server);
            raw.send(RawSession.auth(token));
            Frame frame = raw.readDecodedFrame();
            assertThat(frame.type()).isEqualTo(FrameType.AUTH_OK);
            CODEC.decode(frame.payload(), new AuthAccepted());
        }

        SubscribeResult subscribe() throws Exception {
            return call("chat:subscribe", new ChatService.subscribe_args(new SubscribeRequest(0).setNoEcho(true)),
                    new ChatService.subscribe_result()).getSuccess();
        }

        SendMessageResult send(String name, SendMessageRequest request) throws Exception {
            ChatService.sendMessage_result result = call(name, new ChatService.sendMessage_args(request),
                    new ChatService.sendMessage_result());
            if (result.isSetError()) {
                throw result.getError();
            }
            return result.getSuccess();
        }

        private <R extends TBase<?, ?>> R call(String name, TBase<?, ?> args, R emptyResult) throws Exception {
            int seqid = nextSeqid++;
            raw.send(RawSession.frame(FrameType.CALL.code(), 0,
                    ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, name, seqid, args, false)));
            while (true) {
                Frame frame = raw.readDecodedFrame();
                assertThat(frame.type()).isNotEqualTo(FrameType.ERROR);
                if (frame.type() == FrameType.REPLY) {
                    ThriftMessages.Incoming reply = ThriftMessages.read(CODEC, frame.payload(), WireProtocol.COMPACT);
                    assertThat(reply.header().seqid).isEqualTo(seqid);
                    lastReplyName = reply.header().name;
                    return reply.readBody(emptyResult);
                }
            }
        }

        @Override
        public void close() throws Exception {
            raw.close();
        }
    }
}
