package io.duet.app.push;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.eatthepath.pushy.apns.util.TokenUtil;
import io.duet.security.SecretFiles;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APNs through Pushy, with token-based authentication: one HTTP/2 connection, on Pushy's own event loop.
 * A push is an alert (title and body) with the couple and sequence number as custom properties, collapsed
 * per couple, and expires after a day. Rejections that mean the token is dead ({@link #DEAD_TOKEN}) are
 * {@link Result#TOKEN_INVALID}.
 */
final class ApnsPushSender implements PushSender {
    private static final Logger LOG = LoggerFactory.getLogger(ApnsPushSender.class);
    /**
     * APNs rejection reasons that say the token will never work again. Not DeviceTokenNotForTopic: a wrong
     * {@code push.apns.topic} would drop every token.
     */
    static final Set<String> DEAD_TOKEN = Set.of("BadDeviceToken", "Unregistered", "ExpiredToken");
    private static final Duration EXPIRY = Duration.ofDays(1);

    private final ApnsClient client;
    private final String topic;

    private ApnsPushSender(ApnsClient client, String topic) {
        this.client = client;
        this.topic = topic;
    }

    static ApnsPushSender create(ApnsSettings settings) throws IOException {
        SecretFiles.checkPrivate("push.apns.key-file", settings.keyFile);
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(settings.host, settings.port)
                    .setSigningKey(ApnsSigningKey.loadFromPkcs8File(settings.keyFile.toFile(), settings.teamId,
                            settings.keyId))
                    .setConcurrentConnections(1)
                    .setConnectionTimeout(Duration.ofSeconds(10));
            if (settings.trustFile != null) {
                builder.setTrustedServerCertificateChain(settings.trustFile.toFile());
            }
            return new ApnsPushSender(builder.build(), settings.topic);
        } catch (GeneralSecurityException e) {
            throw new IOException("push.apns.key-file: not an APNs signing key (PKCS#8, EC P-256)", e);
        }
    }

    @Override
    public CompletableFuture<Result> send(String token, PushContent content) {
        String payload = new SimpleApnsPayloadBuilder()
                .setAlertTitle(content.title())
                .setAlertBody(content.body())
                .setSound("default")
                .addCustomProperty("coupleId", Long.toString(content.coupleId()))
                .addCustomProperty("seq", Long.toString(content.seq()))
                .build();
        SimpleApnsPushNotification notification = new SimpleApnsPushNotification(TokenUtil.sanitizeTokenString(token),
                topic, payload, Instant.now().plus(EXPIRY), DeliveryPriority.IMMEDIATE, PushType.ALERT,
                content.collapseKey());
        return client.sendNotification(notification).handle((response, failure) -> {
            if (failure != null) {
                LOG.debug("APNs push failed: {}", failure.toString());
                return Result.FAILED;
            }
            if (response.isAccepted()) {
                return Result.DELIVERED;
            }
            String reason = response.getRejectionReason().orElse("");
            if (DEAD_TOKEN.contains(reason)) {
                return Result.TOKEN_INVALID;
            }
            LOG.warn("APNs rejected a push: {} (status {})", reason, response.getStatusCode());
            return Result.FAILED;
        });
    }

    @Override
    public void close() {
        try {
            client.close().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Closing the APNs client: {}", e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
