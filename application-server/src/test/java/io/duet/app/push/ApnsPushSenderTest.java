package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.json.JsonParser;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;
import io.duet.app.push.PushSender.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ApnsPushSender} against Pushy's own {@link MockApnsServer} (TLS, HTTP/2, in this JVM): an accepted
 * push carries the title and body and no message text, and the mock's BadDeviceToken and Unregistered
 * rejections read as an invalid token while other rejections are plain failures.
 */
class ApnsPushSenderTest {
    static final String GOOD = "a".repeat(64);
    static final String BAD = "b".repeat(64);
    static final String GONE = "c".repeat(64);
    static final String THROTTLED = "d".repeat(64);

    @TempDir
    Path dir;

    private MockApnsServer server;
    private ApnsPushSender sender;
    /** What the mock accepted: the device token (from the path), the topic and the payload. */
    private final BlockingQueue<String[]> accepted = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws Exception {
        TestTls tls = TestTls.create(dir);
        server = new MockApnsServerBuilder()
                .setServerCredentials(tls.certificate().toFile(), tls.key().toFile(), null)
                .setHandlerFactory(session -> (headers, payload) -> {
                    String path = headers.path().toString();
                    String token = path.substring(path.lastIndexOf('/') + 1);
                    switch (token.substring(0, 1)) {
                        case "b":
                            throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
                        case "c":
                            throw new UnregisteredDeviceTokenException(Instant.now());
                        case "d":
                            throw new RejectedNotificationException(RejectionReason.TOO_MANY_REQUESTS);
                        default:
                            accepted.add(new String[] {token, String.valueOf(headers.get("apns-topic")),
                                    payload.toString(StandardCharsets.UTF_8)});
                    }
                })
                .build();
        int port = server.start(0).get(10, TimeUnit.SECONDS);
        sender = ApnsPushSender.create(ApnsSettings.builder().topic("io.duet.app")
                .signingKey(tls.key(), "TEAM123456", "KEY1234567").server("127.0.0.1", port).trustFile(tls.ca()).build());
    }

    @AfterEach
    void stop() throws Exception {
        if (sender != null) {
            sender.close();
        }
        if (server != null) {
            server.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anAcceptedPushCarriesTheContentAndTheMessagesPlace() throws Exception {
        PushContent content = new PushContent("Duet", "New message", 77, 1234);

        assertThat(sender.send(GOOD, content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.DELIVERED);

        String[] push = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(push).isNotNull();
        assertThat(push[0]).isEqualTo(GOOD);
        assertThat(push[1]).isEqualTo("io.duet.app");
        Map<String, Object> payload = new JsonParser().parseJsonObject(push[2]);
        @SuppressWarnings("unchecked")
        Map<String, Object> alert = (Map<String, Object>) ((Map<String, Object>) payload.get("aps")).get("alert");
        assertThat(alert).containsEntry("title", "Duet").containsEntry("body", "New message");
        assertThat(payload).containsEntry("coupleId", "77").containsEntry("seq", "1234");
    }

    @Test
    void deadTokensAreInvalidAndOtherRejectionsAreFailures() throws Exception {
        PushContent content = new PushContent("Duet", "New message", 77, 1);

        assertThat(sender.send(BAD, content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.TOKEN_INVALID);
        assertThat(sender.send(GONE, content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.TOKEN_INVALID);
        assertThat(sender.send(THROTTLED, content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.FAILED);
        assertThat(accepted).isEmpty();
    }
}
