package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several devices of one user beside the partner: every device of both partners gets every message,
 * except that the session that sent a message gets the reply to its send and no echo of it, when it
 * subscribed with noEcho as the SDK does (the SDK puts the message in its timeline from the reply). Ann's
 * phone and tablet are on different presentation servers. To see what the server sends the sending
 * session, one test's phone speaks the protocol itself.
 */
class MultiDeviceIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TABLET = "ann-tablet";
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SharedCluster.get();
    }

    @Test
    void theSendingSessionGetsItsReplyNotAnEchoWhileItsOtherDeviceAndThePartnerGetTheMessage() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        Session annTablet = couple.logInOnDevice(couple.ann, 1, TABLET);
        RecordingListener tabletHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new HashMap<>();
        Map<Long, String> phoneSent = new HashMap<>();
        try (WireSession phone = new WireSession(cluster.clientTcpEndpoint(0), couple.ann.getToken());
                DuetClient tablet = couple.connect(annTablet, 1, tabletHears, 0);
                DuetClient bob = couple.connect(couple.bob, 0, bobHears, 0)) {
            assertThat(phone.accepted.getDeviceId()).isEqualTo(TestCouple.ANN_DEVICE);
            phone.subscribe(0, true);
            for (int i = 0; i < 20; i++) {
                String text = (i % 2 == 0 ? "phone " : "bob ") + i;
                long seq = i % 2 == 0 ? phone.send(text).getSeq() : bob.send(text).get(10, TimeUnit.SECONDS).getSeq();
                acknowledged.put(text, seq);
                if (i % 2 == 0) {
                    phoneSent.put(seq, text);
                }
            }
            long last = tablet.send("tablet last").get(10, TimeUnit.SECONDS).getSeq();
            acknowledged.put("tablet last", last);
            assertThat(last).isEqualTo(21);

            // Events come in sequence order: once the phone has the last one, any echo would have come before it.
            phone.awaitEvent(last);
            List<Long> others = new ArrayList<>();
            for (long seq = 1; seq <= last; seq++) {
                if (!phoneSent.containsKey(seq)) {
                    others.add(seq);
                }
            }
            assertThat(phone.events).extracting(Message::getSeq).as("the phone's own 10 messages are not echoed to it")
                    .containsExactlyElementsOf(others);

            tabletHears.awaitMessages(21, WAIT);
            bobHears.awaitMessages(21, WAIT);
            Thread.sleep(300);
            assertThat(DeliveryChecker.violations(tabletHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(tabletHears.messages).hasSize(21);
            assertThat(bobHears.messages).hasSize(21);
            for (List<Message> heard : List.of(tabletHears.snapshot(), bobHears.snapshot())) {
                assertThat(heard.get(0).getSenderDeviceId()).isEqualTo(TestCouple.ANN_DEVICE);
                // The tablet's own message comes from its reply, and names the tablet like the stored one.
                assertThat(heard.get(20).getSenderDeviceId()).isEqualTo(TABLET);
                assertThat(heard.get(20).getSenderId()).isEqualTo(couple.ann.getUserId());
            }
            assertThat(tabletHears.messages.get(20)).isEqualTo(bobHears.messages.get(20));
            // What the sending session gets for a send: the reply alone, where it got the reply and an event.
            long echo = phone.eventBytes / phone.eventCount;
            System.out.printf("Ann's phone: %d sends, %d B of replies (%d B per send), no event for them; an event "
                    + "of a like message (Bob's) was %d B on the wire, so the echo cost %d B per send%n",
                    phoneSent.size(), phone.replyBytes, phone.replyBytes / phoneSent.size(), echo, echo);

            // A session that subscribes again (it may have lost replies) is sent its own messages too.
            phone.events.clear();
            phone.subscribe(0, true);
            phone.awaitEvent(last);
            assertThat(phone.events).extracting(Message::getSeq).startsWith(1L, 2L, 3L).hasSize(21);
            assertThat(phone.events.get(0)).isEqualTo(bobHears.messages.get(0));

            // A client that does not ask for noEcho (one from before) still gets its own messages pushed.
            phone.subscribe(last, false);
            long echoed = phone.send("echoed").getSeq();
            phone.awaitEvent(echoed);
            assertThat(phone.events.get(phone.events.size() - 1).getText()).isEqualTo("echoed");
        }
    }

    @Test
    void everyDeviceSeesEveryMessageOnceAndADeviceThatComesBackResumesFromItsLastSequence() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        Session annTablet = couple.logInOnDevice(couple.ann, 1, TABLET);
        RecordingListener phoneHears = new RecordingListener();
        RecordingListener tabletHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (DuetClient tablet = couple.connect(annTablet, 1, tabletHears, 0);
                DuetClient bob = couple.connect(couple.bob, 0, bobHears, 0)) {
            long phoneLast;
            try (DuetClient phone = couple.connect(couple.ann, 0, phoneHears, 0)) {
                // Concurrent sends: the phone's replies and Bob's events interleave, in any order.
                List<CompletableFuture<SendMessageResult>> sends = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String text = (i % 2 == 0 ? "phone " : "bob ") + i;
                    CompletableFuture<SendMessageResult> sent = (i % 2 == 0 ? phone : bob).send(text);
                    sends.add(sent.thenApply(result -> {
                        acknowledged.put(text, result.getSeq());
                        return result;
                    }));
                }
                CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                phoneHears.awaitMessages(200, WAIT);
                Thread.sleep(300);
                assertThat(DeliveryChecker.violations(phoneHears.snapshot(), 1, acknowledged)).isEmpty();
                assertThat(phoneHears.messages).hasSize(200);
                phoneLast = phone.lastSeq();
                assertThat(phoneLast).isEqualTo(200);
            }

            // The phone is away: the tablet and Bob write on.
            for (int i = 0; i < 20; i++) {
                String text = "while the phone is away " + i;
                acknowledged.put(text, (i % 2 == 0 ? tablet : bob).send(text).get(10, TimeUnit.SECONDS).getSeq());
            }
            RecordingListener phoneAgainHears = new RecordingListener();
            try (DuetClient phone = couple.connect(couple.ann, 0, phoneAgainHears, phoneLast)) {
                phoneAgainHears.awaitMessages(20, WAIT);
                Thread.sleep(300);
                assertThat(phoneAgainHears.messages).hasSize(20);
                assertThat(phoneAgainHears.messages.get(0).getSeq()).isEqualTo(201);
                List<Message> all = new ArrayList<>(phoneHears.snapshot());
                all.addAll(phoneAgainHears.snapshot());
                assertThat(DeliveryChecker.violations(all, 1, acknowledged)).isEmpty();
                assertThat(phone.lastSeq()).isEqualTo(220);
            }
            for (RecordingListener heard : List.of(tabletHears, bobHears)) {
                heard.awaitMessages(220, WAIT);
                Thread.sleep(300);
                assertThat(heard.messages).hasSize(220);
                assertThat(DeliveryChecker.violations(heard.snapshot(), 1, acknowledged)).isEmpty();
            }
        }
    }

    /** A client session speaking the protocol itself: it records the message events the server pushes. */
    private static final class WireSession implements AutoCloseable {
        private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

        private final RawSession raw;
        final AuthAccepted accepted;
        final List<Message> events = new ArrayList<>();
        private int nextSeqid = 1;
        /** Bytes on the wire of the replies to sends, and of message events, with the events' count. */
        long replyBytes;
        long eventBytes;
        long eventCount;
        private long lastFrameBytes;

        WireSession(InetSocketAddress server, String token) throws Exception {
            raw = new RawSession(server);
            raw.send(RawSession.auth(token));
            Frame frame = raw.readDecodedFrame();
            assertThat(frame.type()).isEqualTo(FrameType.AUTH_OK);
            accepted = CODEC.decode(frame.payload(), new AuthAccepted());
        }

        void subscribe(long afterSeq, boolean noEcho) throws Exception {
            call("subscribe", new ChatService.subscribe_args(new SubscribeRequest(afterSeq).setNoEcho(noEcho)),
                    new ChatService.subscribe_result());
        }

        SendMessageResult send(String text) throws Exception {
            SendMessageRequest request = new SendMessageRequest(UUID.randomUUID().toString(), text, 1);
            return call("sendMessage", new ChatService.sendMessage_args(request), new ChatService.sendMessage_result())
                    .getSuccess();
        }

        /** Makes a call and reads frames up to its reply, recording the events before it. */
        private <R extends TBase<?, ?>> R call(String method, TBase<?, ?> args, R emptyResult) throws Exception {
            int seqid = nextSeqid++;
            raw.send(RawSession.frame(FrameType.CALL.code(), 0, ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT,
                    commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + method, seqid, args, false)));
            while (true) {
                Frame frame = next();
                if (frame.type() == FrameType.REPLY) {
                    if (method.equals("sendMessage")) {
                        replyBytes += lastFrameBytes;
                    }
                    ThriftMessages.Incoming reply = ThriftMessages.read(CODEC, frame.payload(), WireProtocol.COMPACT);
                    assertThat(reply.header().seqid).isEqualTo(seqid);
                    R result = reply.readBody(emptyResult);
                    ThriftMessages.unwrapResult(result, method);
                    return result;
                }
            }
        }

        /** Reads frames until the message event of {@code seq} (at most the socket's read timeout). */
        void awaitEvent(long seq) throws Exception {
            while (events.isEmpty() || events.get(events.size() - 1).getSeq() < seq) {
                Frame frame = next();
                assertThat(frame.type()).as("no call is in flight").isNotEqualTo(FrameType.REPLY);
            }
        }

        /** The next frame; a message event is recorded, anything but an ERROR is passed on. */
        private Frame next() throws Exception {
            long before = raw.framedBytesRead();
            Frame frame = raw.readDecodedFrame();
            lastFrameBytes = raw.framedBytesRead() - before;
            assertThat(frame.type()).isNotEqualTo(FrameType.ERROR);
            if (frame.type() == FrameType.EVENT) {
                Event event = CODEC.decode(frame.payload(), new Event());
                if (event.isSetMessage()) {
                    events.add(event.getMessage().getMessage());
                    eventBytes += lastFrameBytes;
                    eventCount++;
                }
            }
            return frame;
        }

        @Override
        public void close() throws Exception {
            raw.close();
        }
    }
}
