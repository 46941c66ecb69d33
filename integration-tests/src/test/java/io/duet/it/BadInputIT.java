package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.api.ApiServices;
import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.AsyncProcessFunction;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each kind of bad input on the client TCP port gets a typed ERROR and a closed connection, while a
 * couple keeps chatting through the same presentation server throughout.
 */
class BadInputIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LocalCluster cluster;
    private static TestCouple chatters;
    private static DuetClient ann;
    private static DuetClient bob;
    private static RecordingListener bobHears;
    private static final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private static int sent;

    @BeforeAll
    static void startChatting() throws Exception {
        cluster = SharedCluster.get();
        chatters = TestCouple.pair(cluster);
        bobHears = new RecordingListener();
        ann = chatters.connect(chatters.ann, 0, new RecordingListener(), 0);
        bob = chatters.connect(chatters.bob, 0, bobHears, 0);
    }

    @AfterAll
    static void checkTheChat() throws Exception {
        try {
            assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
        } finally {
            ann.close();
            bob.close();
        }
    }

    /** After every bad input, the couple on the same server still chats. */
    @AfterEach
    void othersKeepChatting() throws Exception {
        for (int i = 0; i < 5; i++) {
            String text = "still chatting " + (++sent);
            acknowledged.put(text, ann.send(text).get(10, TimeUnit.SECONDS).getSeq());
        }
        bobHears.awaitMessages(sent, WAIT);
        assertThat(ann.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(bob.state()).isEqualTo(ConnectionState.CONNECTED);
    }

    private static RawSession connect() throws Exception {
        return new RawSession(cluster.clientTcpEndpoint(0));
    }

    private static void assertRefused(RawSession session, SessionErrorCode code, String messagePart) throws Exception {
        SessionError error = session.readError();
        assertThat(error.getCode()).isEqualTo(code);
        assertThat(error.getMessage()).contains(messagePart);
        assertThat(session.closedByServer()).as("connection closed").isTrue();
    }

    @Test
    void frameOverTheSizeLimitIsRefusedBeforeItsBodyArrives() throws Exception {
        try (RawSession session = connect()) {
            session.send(new byte[] {0x00, 0x10, 0x00, 0x01, (byte) FrameType.CALL.code(), 0});
            assertRefused(session, SessionErrorCode.FRAME_TOO_LARGE, "exceeds the limit of 65536 bytes");
        }
    }

    @Test
    void snappyFrameDeclaringAnAbsurdUncompressedSizeIsRefused() throws Exception {
        try (RawSession session = connect()) {
            byte[] body = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0x00, 0x01, 0x02};
            session.send(RawSession.frame(FrameType.AUTH.code(), Frame.FLAG_SNAPPY, body));
            assertRefused(session, SessionErrorCode.FRAME_TOO_LARGE, "declares 4294967295 uncompressed bytes");
        }
    }

    @Test
    void corruptSnappyBodyIsRefused() throws Exception {
        try (RawSession session = connect()) {
            session.send(RawSession.frame(FrameType.AUTH.code(), Frame.FLAG_SNAPPY, new byte[] {0x20, 0x7F, 0x7F, 0x7F}));
            assertRefused(session, SessionErrorCode.BAD_COMPRESSION, "snappy");
        }
    }

    @Test
    void garbageBytesAreRefused() throws Exception {
        try (RawSession session = connect()) {
            byte[] garbage = new byte[512];
            new Random(42).nextBytes(garbage);
            garbage[0] = 0;
            garbage[1] = 0;
            garbage[2] = 0;
            garbage[3] = 64;
            garbage[4] = (byte) 0xEE;
            session.send(garbage);
            assertRefused(session, SessionErrorCode.BAD_FRAME, "unknown frame type 238");
        }
        try (RawSession session = connect()) {
            session.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertRefused(session, SessionErrorCode.FRAME_TOO_LARGE, "exceeds the limit");
        }
    }

    @Test
    void authFrameThatIsNotThriftIsRefused() throws Exception {
        try (RawSession session = connect()) {
            session.send(RawSession.frame(FrameType.AUTH.code(), 0, new byte[] {(byte) 0xDE, (byte) 0xAD, 0x01}));
            assertRefused(session, SessionErrorCode.BAD_FRAME, "unreadable AUTH frame");
        }
    }

    @Test
    void callBeforeAuthenticatingIsRefused() throws Exception {
        try (RawSession session = connect()) {
            session.send(RawSession.frame(FrameType.CALL.code(), 0, new byte[] {1, 2, 3}));
            assertRefused(session, SessionErrorCode.NOT_AUTHENTICATED, "unreadable call before AUTH");
        }
        // Only sign-up, log-in and refresh may come before AUTH (AccountCallsBeforeAuth): a chat call may not.
        try (RawSession session = connect()) {
            session.send(RawSession.frame(FrameType.CALL.code(), 0, ThriftMessages.encodeCall(ThriftCodec.INTERNAL,
                    WireProtocol.COMPACT, "chat:sendMessage", 1,
                    new ChatService.sendMessage_args(new SendMessageRequest("m-1", "hi", 1)), false)));
            assertRefused(session, SessionErrorCode.NOT_AUTHENTICATED, "the first frame must be AUTH");
        }
    }

    @Test
    void forgedTokensAreRefused() throws Exception {
        TokenClaims claims = new TokenClaims(chatters.ann.getUserId(), chatters.ann.getCoupleId(), "phone",
                System.currentTimeMillis(), System.currentTimeMillis() + 60_000);
        String otherSecret = TokenCodec.create("not-the-cluster-secret-but-long-enough", List.of(), Clock.systemUTC())
                .issue(claims);
        try (RawSession session = connect()) {
            session.send(RawSession.auth(otherSecret));
            assertRefused(session, SessionErrorCode.TOKEN_INVALID, "unknown key");
        }
        String[] parts = chatters.ann.getToken().split("\\.");
        char[] payload = parts[2].toCharArray();
        payload[3] = payload[3] == 'B' ? 'C' : 'B';
        String tampered = parts[0] + "." + parts[1] + "." + new String(payload) + "." + parts[3];
        try (RawSession session = connect()) {
            session.send(RawSession.auth(tampered));
            assertRefused(session, SessionErrorCode.TOKEN_INVALID, "signature does not match");
        }
        try (RawSession session = connect()) {
            session.send(RawSession.auth("not a token"));
            assertRefused(session, SessionErrorCode.TOKEN_INVALID, "not a v1 token");
        }
    }

    @Test
    void expiredTokenIsRefusedAndTheSdkStopsRetrying() throws Exception {
        TokenCodec clusterTokens = TokenCodec.create(cluster.tokenSecret(), List.of(), Clock.systemUTC());
        String expired = clusterTokens.issue(new TokenClaims(chatters.ann.getUserId(), chatters.ann.getCoupleId(),
                "phone", System.currentTimeMillis() - 120_000, System.currentTimeMillis() - 60_000));
        try (RawSession session = connect()) {
            session.send(RawSession.auth(expired));
            assertRefused(session, SessionErrorCode.TOKEN_EXPIRED, "expired");
        }
        RecordingListener rejected = new RecordingListener();
        DuetClient client = DuetClient.builder().server(cluster.clientTcpEndpoint(0)).token(expired).listener(rejected).build();
        try {
            assertThat(client.connect()).failsWithin(WAIT);
            RecordingListener.await(WAIT, "rejection", () -> !rejected.rejections.isEmpty());
            assertThat(rejected.rejections).containsExactly(SessionErrorCode.TOKEN_EXPIRED);
            assertThat(client.state()).isEqualTo(ConnectionState.CLOSED);
        } finally {
            client.close();
        }
    }

    @Test
    void aTokenWithoutACoupleCannotChat() throws Exception {
        io.duet.protocol.api.Session unpaired = TestCouple.http(cluster, 0, "eve-phone")
                .signUp(TestCouple.uniqueEmail("eve"), "eve's password", "Eve");
        RecordingListener eveHears = new RecordingListener();
        try (DuetClient eve = DuetClient.builder().server(cluster.clientTcpEndpoint(0)).token(unpaired.getToken())
                .listener(eveHears).build()) {
            eve.connect().get(30, TimeUnit.SECONDS);
            assertThat(eve.coupleId()).isZero();
            assertThat(eve.send("let me in")).failsWithin(WAIT).withThrowableThat()
                    .withMessageContaining("NOT_PAIRED");
        }
    }

    @Test
    @SuppressWarnings({"rawtypes", "unchecked"})
    void feedPollsWithBadCursorsOrBoundsGetInvalidArgumentOverBothTransports() throws Exception {
        AsyncProcessFunction<?, ?, ?, ?> poll = ApiServices.catalogue().stream()
                .filter(binding -> binding.name().equals(commonConstants.FEED_SERVICE)).findFirst().orElseThrow()
                .functions().get("pollEvents");
        String token = chatters.ann.getToken();
        for (PollEventsRequest bad : List.of(new PollEventsRequest(-1), new PollEventsRequest(0).setAfterChange(-1),
                new PollEventsRequest(0).setWaitMillis(-1), new PollEventsRequest(0).setMaxEvents(0),
                new PollEventsRequest(0).setAfterEvent(3), new PollEventsRequest(0).setStream(1).setAfterEvent(-1))) {
            TBase args = (TBase) poll.getEmptyArgsInstance();
            args.setFieldValue(args.fieldForId(1), bad);
            assertThat(ApiCall.overHttp(cluster.clientHttpEndpoint(0), commonConstants.FEED_SERVICE, poll, args, token)
                    .outcome()).as("over HTTP: " + bad).isEqualTo(ApiCall.duetError(ErrorCode.INVALID_ARGUMENT));
            assertThat(ApiCall.overTcp(cluster.clientTcpEndpoint(0), commonConstants.FEED_SERVICE, poll, args, token)
                    .outcome()).as("over TCP: " + bad).isEqualTo(ApiCall.duetError(ErrorCode.INVALID_ARGUMENT));
        }
    }

    @Test
    void silentConnectionIsClosedAfterTheAuthTimeout() throws Exception {
        try (RawSession session = connect()) {
            long started = System.nanoTime();
            assertRefused(session, SessionErrorCode.AUTH_TIMEOUT, "no AUTH frame within");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(15));
        }
    }
}
