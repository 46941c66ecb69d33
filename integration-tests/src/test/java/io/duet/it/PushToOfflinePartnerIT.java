package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.json.JsonParser;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.pki.ClusterCa;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.frame.FrameType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Pushes on the local cluster, its application server pointed at Pushy's {@link MockApnsServer} in this
 * JVM (TLS from a CA of the test's own; the signing key is an EC P-256 PKCS#8 key like Apple's). Bob has
 * two devices with tokens: a tablet whose token APNs calls bad, and a phone. While none of Bob's devices is
 * connected, Ann's message reaches the phone as a push that says "New message" and not the text, and the
 * tablet's token is tried once and dropped. While Bob's phone has a TCP session, Ann's message gets no
 * push; once it is gone, pushes resume. A session whose client stopped sending (a half-open connection) counts as
 * connected only until the ping interval and a grace have passed, not until the idle timeout.
 * Once Bob logs out on his phone, its token is gone: the next messages reach only the device he logs in on
 * next.
 */
class PushToOfflinePartnerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PHONE_TOKEN = "a1".repeat(32);
    private static final String TABLET_TOKEN = "bd".repeat(32);
    /** The phone whose connection goes half-open, in {@link #aSilentSessionHoldsNoPushBackUntilTheIdleTimeout}. */
    private static final String SILENT_PHONE_TOKEN = "c3".repeat(32);
    /** Sorts before {@link TestCouple#BOB_DEVICE}: the dead token is tried before the phone's in each push. */
    private static final String BOB_TABLET = "a-bob-tablet";
    private static final String WATCH_TOKEN = "d4".repeat(32);
    /** Sorts after {@link TestCouple#BOB_DEVICE}. */
    private static final String BOB_WATCH = "z-bob-watch";

    /** Every push the mock APNs got: the device token and the payload. */
    private static final List<String[]> RECEIVED = new CopyOnWriteArrayList<>();
    private static final ClusterCa.NodeCredentials TLS = credentials();
    private static final MockApnsServer APNS = new MockApns().server;
    private static final int APNS_PORT = MockApns.port;

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withServerSetting("push.apns.topic", "io.duet.test")
            .withServerSetting("push.apns.key-file", TLS.key().toString())
            .withServerSetting("push.apns.team-id", "TEAM123456")
            .withServerSetting("push.apns.key-id", "KEY1234567")
            .withServerSetting("push.apns.host", "127.0.0.1")
            .withServerSetting("push.apns.port", Integer.toString(APNS_PORT))
            .withServerSetting("push.apns.trust-file", TLS.ca().toString())
            // No coalescing, and one worker: pushes go out one message after the other, in order.
            .withServerSetting("push.coalesce-window", "0s")
            .withServerSetting("push.workers", "1")
            // A session silent for 6 s (ping interval and grace) no longer counts as a connected device; it is
            // disconnected as idle only after 90 s.
            .withPresentationSetting("client.ping-interval", "3s")
            .withPresentationSetting("client.quiet-grace", "3s")
            .withPresentationSetting("client.idle-timeout", "90s");

    private static ClusterCa.NodeCredentials credentials() {
        try {
            Path dir = Files.createTempDirectory("duet-apns-mock-");
            return ClusterCa.loadOrCreate(dir, "apns-mock-ca").issue("apns-mock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the mock in the class's static initialisation, so that the cluster's settings can name its port. */
    private static final class MockApns {
        static int port;
        final MockApnsServer server;

        MockApns() {
            try {
                server = new MockApnsServerBuilder()
                        .setServerCredentials(TLS.certificate().toFile(), TLS.key().toFile(), null)
                        .setHandlerFactory(session -> (headers, payload) -> {
                            String path = headers.path().toString();
                            String token = path.substring(path.lastIndexOf('/') + 1);
                            RECEIVED.add(new String[] {token, payload.toString(StandardCharsets.UTF_8)});
                            if (TABLET_TOKEN.equals(token)) {
                                throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
                            }
                        })
                        .build();
                port = server.start(0).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the mock APNs server", e);
            }
        }
    }

    @AfterAll
    static void stopMock() throws Exception {
        APNS.shutdown().get(10, TimeUnit.SECONDS);
        try (var files = Files.list(TLS.ca().getParent())) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(TLS.ca().getParent());
    }

    private static List<Long> pushedSeqs(String token) throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (String[] push : RECEIVED) {
            if (push[0].equals(token)) {
                seqs.add(Long.parseLong(String.valueOf(new JsonParser().parseJsonObject(push[1]).get("seq"))));
            }
        }
        return seqs;
    }

    private static boolean wasPushed(String token, long seq) {
        try {
            return pushedSeqs(token).contains(seq);
        } catch (Exception e) {
            throw new IllegalStateException("an unreadable push payload", e);
        }
    }

    private static long count(String token) {
        return RECEIVED.stream().filter(push -> push[0].equals(token)).count();
    }

    @Test
    void anOfflinePartnerGetsAPushWithoutTheTextAndAnOnlineOneNone() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String ann = couple.ann.getToken();
        Session tablet = couple.logInOnDevice(couple.bob, 1, BOB_TABLET);
        bobHttp.registerPushToken(couple.bob.getToken(), PushPlatform.APNS, PHONE_TOKEN);
        bobHttp.registerPushToken(tablet.getToken(), PushPlatform.APNS, TABLET_TOKEN);

        // Bob offline: the phone gets a push about the message, without its text; the tablet's token is refused.
        SendMessageResult first = annHttp.sendMessage(ann, "m-1", "the secret surprise is on friday");
        RecordingListener.await(WAIT, "a push to Bob's phone", () -> count(PHONE_TOKEN) >= 1);
        assertThat(pushedSeqs(PHONE_TOKEN)).containsExactly(first.getSeq());
        String payload = RECEIVED.stream().filter(push -> push[0].equals(PHONE_TOKEN)).findFirst().get()[1];
        @SuppressWarnings("unchecked")
        Map<String, Object> aps = (Map<String, Object>) new JsonParser().parseJsonObject(payload).get("aps");
        assertThat(aps.get("alert")).isEqualTo(Map.of("title", "Duet", "body", "New message"));
        assertThat(payload).doesNotContain("secret").doesNotContain("friday");
        assertThat(count(TABLET_TOKEN)).as("the tablet's token was tried, before the phone's").isEqualTo(1);

        // Bob online on his phone: Ann's message reaches the session, and no push goes out.
        RecordingListener bobHears = new RecordingListener();
        SendMessageResult second;
        try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            RecordingListener.await(WAIT, "Bob's session caught up", () -> bobHears.messages.stream()
                    .anyMatch(m -> m.getSeq() == first.getSeq()));
            second = annHttp.sendMessage(ann, "m-2", "are you there?");
            RecordingListener.await(WAIT, "Bob's session gets the second message", () -> bobHears.messages.stream()
                    .anyMatch(m -> m.getSeq() == second.getSeq()));
        }

        // Bob offline again: once the couple's server saw the session end, Ann's messages are pushed again.
        long deadline = System.nanoTime() + WAIT.toNanos();
        int n = 3;
        long lastSent = second.getSeq();
        while (pushedSeqs(PHONE_TOKEN).stream().noneMatch(seq -> seq > second.getSeq())) {
            assertThat(System.nanoTime()).as("a push after Bob's session ended").isLessThan(deadline);
            lastSent = annHttp.sendMessage(ann, "m-" + n++, "hello again").getSeq();
            Thread.sleep(300);
        }
        // One worker pushes in commit order: had the online message been pushed, it would have come first.
        assertThat(pushedSeqs(PHONE_TOKEN)).doesNotContain(second.getSeq()).contains(first.getSeq());
        assertThat(lastSent).isGreaterThan(second.getSeq());
        assertThat(count(TABLET_TOKEN)).as("the dead token was dropped after its first refusal").isEqualTo(1);

        // Bob logs out on his phone: its token goes with the session. A watch he logs in on (its device
        // sorts after the phone's, so the phone's push of a message would go first) gets the next ones.
        bobHttp.logOut(couple.bob.getToken());
        Session watch = couple.logInOnDevice(couple.bob, 0, BOB_WATCH);
        bobHttp.registerPushToken(watch.getToken(), PushPlatform.APNS, WATCH_TOKEN);
        long afterLogOut = annHttp.sendMessage(ann, "m-" + n++, "still there?").getSeq();
        long later = annHttp.sendMessage(ann, "m-" + n, "hello?").getSeq();
        // One worker, in commit order: once the watch has the later one, every push of the first went out.
        RecordingListener.await(WAIT, "two pushes to Bob's watch", () -> count(WATCH_TOKEN) >= 2);
        assertThat(pushedSeqs(WATCH_TOKEN)).containsExactly(afterLogOut, later);
        assertThat(pushedSeqs(PHONE_TOKEN)).as("pushes to the logged-out phone").allMatch(seq -> seq < afterLogOut);
    }

    /**
     * Bob's phone authenticates, then falls silent without closing (its network gone: no pings, no FIN). Ann's
     * message reaches the session while it still counts as connected, so no push goes out at once; once the
     * phone has been silent for the ping interval and the grace (6 s here), the message is pushed, long before
     * the 90 s idle timeout closes the session. A message sent while the session is quiet is pushed at once.
     */
    @Test
    void aSilentSessionHoldsNoPushBackUntilTheIdleTimeout() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String ann = couple.ann.getToken();
        bobHttp.registerPushToken(couple.bob.getToken(), PushPlatform.APNS, SILENT_PHONE_TOKEN);

        try (RawSession phone = new RawSession(cluster.clientTcpEndpoint(1))) {
            phone.send(RawSession.auth(couple.bob.getToken()));
            assertThat((int) phone.readFrame()[0]).as("AUTH_OK").isEqualTo(FrameType.AUTH_OK.code());
            // Subscribed (so the session is attached to the couple), then silent: never reads nor writes again.
            phone.send(RawSession.frame(FrameType.CALL.code(), 0, ThriftMessages.encodeCall(ThriftCodec.INTERNAL,
                    WireProtocol.COMPACT, "chat:subscribe", 1,
                    new ChatService.subscribe_args(new SubscribeRequest().setAfterSeq(0)), false)));
            while ((int) phone.readFrame()[0] != FrameType.REPLY.code()) {
                // events of the catch-up, if any
            }
            long silentSince = System.nanoTime();

            SendMessageResult first = annHttp.sendMessage(ann, "q-1", "are you there?");
            long sentAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
            if (sentAfterMillis < 3000) {
                Thread.sleep(1000);
                assertThat(pushedSeqs(SILENT_PHONE_TOKEN)).as("the session was connected when the message came: no "
                        + "push at once").isEmpty();
            }
            RecordingListener.await(WAIT, "a push once Bob's phone has been silent past the ping interval",
                    () -> wasPushed(SILENT_PHONE_TOKEN, first.getSeq()));
            long pushedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silentSince);
            assertThat(pushedAfterMillis).as("well before the 90 s idle timeout").isLessThan(40_000);

            SendMessageResult second = annHttp.sendMessage(ann, "q-2", "hello?");
            RecordingListener.await(Duration.ofSeconds(10), "a push of a message sent while the session is quiet",
                    () -> wasPushed(SILENT_PHONE_TOKEN, second.getSeq()));
        }
    }
}
