package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.FrameType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sessions end: access tokens expire (and take their TCP sessions with them), refresh tokens are single
 * use and their reuse ends the session, and log-outs end one device's session or all of them, on open
 * TCP sessions within a bound. Access tokens live {@link #ACCESS_LIFETIME} in this cluster.
 */
class SessionsEndIT {
    /**
     * Short, so that tests see tokens expire, and the SDK renew them twice in a chat, in seconds; long enough
     * for the log-out test's dozen calls on a busy box, and for a renewal within its quarter to spare.
     */
    static final Duration ACCESS_LIFETIME = Duration.ofSeconds(8);
    /** How soon a revocation must close a TCP session, and reach a presentation server's HTTP checks. */
    static final Duration REVOCATION_BOUND = Duration.ofSeconds(2);

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withServerSetting("token.access-lifetime", ACCESS_LIFETIME.toMillis() + "ms");

    private static RawSession authenticated(String token, int presentationServer) throws Exception {
        RawSession session = new RawSession(CLUSTER.get().clientTcpEndpoint(presentationServer));
        session.send(RawSession.auth(token));
        assertThat((int) session.readFrame()[0]).isEqualTo(FrameType.AUTH_OK.code());
        return session;
    }

    /** The ERROR frame that ends {@code session}, skipping any events before it; then the connection closes. */
    private static SessionErrorCode endedWith(RawSession session) throws Exception {
        while (true) {
            Object[] frame = session.readFrame();
            if ((int) frame[0] == FrameType.ERROR.code()) {
                SessionErrorCode code = io.duet.protocol.thrift.ThriftCodec.INTERNAL
                        .decode((byte[]) frame[1], new SessionError()).getCode();
                assertThat(session.closedByServer()).isTrue();
                return code;
            }
        }
    }

    /** Whether {@code session} still answers a PING. */
    private static boolean answersPing(RawSession session) throws Exception {
        session.send(RawSession.frame(FrameType.PING.code(), 0, new byte[0]));
        while (true) {
            Object[] frame = session.readFrame();
            if ((int) frame[0] == FrameType.PONG.code()) {
                return true;
            }
            if ((int) frame[0] == FrameType.ERROR.code()) {
                return false;
            }
        }
    }

    private static void assertRefusedOverHttp(DuetHttp http, String token) throws Exception {
        long deadline = System.nanoTime() + REVOCATION_BOUND.toNanos();
        while (true) {
            try {
                http.createInvite(token);
            } catch (TTransportException e) {
                assertThat(e).hasMessageContaining("401");
                return;
            } catch (DuetError e) {
                // Paired users may not create invites: the token itself was accepted.
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("token still accepted over HTTP after " + REVOCATION_BOUND);
            }
            Thread.sleep(50);
        }
    }

    private static void assertUnauthenticated(ThrowingCall call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DuetError.class,
                e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void anExpiredAccessTokenEndsItsTcpSessionAndIsRefused() throws Exception {
        DuetHttp http = TestCouple.http(CLUSTER.get(), 0, "expiring-phone");
        Session session = http.signUp(TestCouple.uniqueEmail("expiring"), "a long password", "Ex");
        assertThat(session.getExpiresAtMillis() - System.currentTimeMillis())
                .isLessThanOrEqualTo(ACCESS_LIFETIME.toMillis());
        try (RawSession tcp = authenticated(session.getToken(), 0)) {
            long start = System.nanoTime();
            assertThat(endedWith(tcp)).isEqualTo(SessionErrorCode.TOKEN_EXPIRED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ACCESS_LIFETIME.plusSeconds(2));
        }
        try (RawSession again = new RawSession(CLUSTER.get().clientTcpEndpoint(1))) {
            again.send(RawSession.auth(session.getToken()));
            assertThat(again.readError().getCode()).isEqualTo(SessionErrorCode.TOKEN_EXPIRED);
        }
        assertRefusedOverHttp(http, session.getToken());
        // The refresh token still renews the session.
        Session renewed = http.refreshWith(session.getRefreshToken());
        try (RawSession tcp = authenticated(renewed.getToken(), 1)) {
            assertThat(answersPing(tcp)).isTrue();
        }
    }

    @Test
    void refreshRotatesAndReusingAnOldRefreshTokenEndsTheSession() throws Exception {
        DuetHttp http = TestCouple.http(CLUSTER.get(), 1, "rotating-phone");
        Session first = http.signUp(TestCouple.uniqueEmail("rotating"), "a long password", "Ro");
        Session second = http.refreshWith(first.getRefreshToken());
        assertThat(second.getRefreshToken()).isNotNull().isNotEqualTo(first.getRefreshToken());
        assertThat(second.getUserId()).isEqualTo(first.getUserId());
        Session third = http.refreshWith(second.getRefreshToken());
        http.createInvite(third.getToken());
        // Without a refresh token an access token gets a copy that expires when it does, never a longer life.
        Session copy = http.refreshSession(third.getToken());
        assertThat(copy.getExpiresAtMillis()).isEqualTo(third.getExpiresAtMillis());
        assertThat(copy.isSetRefreshToken()).isFalse();

        try (RawSession tcp = authenticated(third.getToken(), 0)) {
            // A thief replays a used refresh token: refused, and the session ends for everyone holding it.
            assertUnauthenticated(() -> http.refreshWith(first.getRefreshToken()));
            assertThat(endedWith(tcp)).isEqualTo(SessionErrorCode.TOKEN_REVOKED);
        }
        assertUnauthenticated(() -> http.refreshWith(third.getRefreshToken()));
        assertRefusedOverHttp(http, third.getToken());
        assertUnauthenticated(() -> http.refreshWith("r1.1.not-a-session.not-a-secret"));
    }

    @Test
    void logOutEndsOneDeviceAndLogOutEverywhereEndsThemAll() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        Session phone = couple.logInOnDevice(couple.ann, 0, "ann-phone-2");
        Session tablet = couple.logInOnDevice(couple.ann, 1, "ann-tablet");
        DuetHttp http = TestCouple.http(CLUSTER.get(), 0, "ann-phone-2");
        try (RawSession phoneTcp = authenticated(phone.getToken(), 0);
                RawSession tabletTcp = authenticated(tablet.getToken(), 1);
                RawSession bobTcp = authenticated(couple.logInOnDevice(couple.bob, 0, "bob-2").getToken(), 1)) {
            long start = System.nanoTime();
            http.logOut(phone.getToken());
            assertThat(endedWith(phoneTcp)).isEqualTo(SessionErrorCode.TOKEN_REVOKED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REVOCATION_BOUND);
            assertUnauthenticated(() -> http.refreshWith(phone.getRefreshToken()));
            assertRefusedOverHttp(http, phone.getToken());
            assertThat(answersPing(tabletTcp)).as("the other device keeps working").isTrue();
            http.fetchHistory(tablet.getToken(), 0, 10);

            start = System.nanoTime();
            http.logOutEverywhere(tablet.getToken());
            assertThat(endedWith(tabletTcp)).isEqualTo(SessionErrorCode.TOKEN_REVOKED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REVOCATION_BOUND);
            assertRefusedOverHttp(http, couple.ann.getToken());
            assertUnauthenticated(() -> http.refreshWith(tablet.getRefreshToken()));
            assertThat(answersPing(bobTcp)).as("the partner is not logged out").isTrue();
        }
        // Logging in again works.
        couple.logInOnDevice(couple.ann, 0, "ann-phone-3");
    }

    private static DuetClient sdk(Session session, int presentationServer, RecordingListener listener) {
        return DuetClient.builder()
                .server(CLUSTER.get().clientTcpEndpoint(presentationServer))
                .token(session.getToken())
                .refreshToken(session.getRefreshToken())
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .listener(listener)
                .build();
    }

    @Test
    void theSdkKeepsAChatGoingAcrossAccessTokenExpiries() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        RecordingListener annEvents = new RecordingListener();
        RecordingListener bobEvents = new RecordingListener();
        // The SDK renews with a quarter of the lifetime to spare: about 6 s and 12 s after logging in, in a 16 s chat.
        Duration chat = ACCESS_LIFETIME.multipliedBy(2);
        int messages = 0;
        try (DuetClient ann = sdk(couple.logInOnDevice(couple.ann, 0, "ann-sdk"), 0, annEvents);
                DuetClient bob = sdk(couple.logInOnDevice(couple.bob, 1, "bob-sdk"), 1, bobEvents)) {
            ann.connect().get(30, TimeUnit.SECONDS);
            bob.connect().get(30, TimeUnit.SECONDS);
            long end = System.nanoTime() + chat.toNanos();
            List<CompletableFuture<?>> sends = new ArrayList<>();
            while (System.nanoTime() < end) {
                sends.add((messages % 2 == 0 ? ann : bob).send("message " + messages));
                messages++;
                Thread.sleep(100);
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            annEvents.awaitMessages(messages, Duration.ofSeconds(20));
            bobEvents.awaitMessages(messages, Duration.ofSeconds(20));
        }
        for (RecordingListener events : List.of(annEvents, bobEvents)) {
            assertThat(events.rejections).isEmpty();
            assertThat(events.refreshed).as("renewals in %s", chat).hasSizeGreaterThanOrEqualTo(2);
            assertThat(events.refreshed).extracting(Session::getRefreshToken).doesNotHaveDuplicates();
            List<String> texts = events.snapshot().stream().map(Message::getText).toList();
            assertThat(texts).as("every message once, in order").hasSize(messages).doesNotHaveDuplicates();
            List<Long> seqs = events.snapshot().stream().map(Message::getSeq).toList();
            assertThat(seqs).isSorted();
        }
    }
}
