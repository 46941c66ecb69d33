package io.duet.app.push;

import com.eatthepath.pushy.apns.ApnsClientBuilder;
import io.duet.settings.Settings;
import java.nio.file.Path;
import java.util.Objects;

/**
 * APNs with token-based authentication ({@code push.apns.*}): the app's bundle id ({@code topic}), the
 * signing key Apple issued (a {@code .p8} file, PKCS#8 PEM, readable by its owner only) with its team id
 * and key id. {@code host} is production's {@value ApnsClientBuilder#PRODUCTION_APNS_HOST} unless set (the
 * sandbox is {@value ApnsClientBuilder#DEVELOPMENT_APNS_HOST}); tests point {@code host} and {@code port}
 * at a mock server and trust its certificate authority with {@code trust-file}.
 */
public final class ApnsSettings {
    public static final int DEFAULT_PORT = 443;

    final String topic;
    final Path keyFile;
    final String teamId;
    final String keyId;
    final String host;
    final int port;
    final Path trustFile;

    private ApnsSettings(Builder builder) {
        this.topic = Objects.requireNonNull(builder.topic, "topic");
        this.keyFile = Objects.requireNonNull(builder.keyFile, "keyFile");
        this.teamId = Objects.requireNonNull(builder.teamId, "teamId");
        this.keyId = Objects.requireNonNull(builder.keyId, "keyId");
        this.host = Objects.requireNonNull(builder.host, "host");
        this.port = builder.port;
        this.trustFile = builder.trustFile;
    }

    /** The {@code push.apns.*} settings, or null when {@code push.apns.topic} is not set (no APNs). */
    public static ApnsSettings from(Settings settings) {
        if (!settings.has("push.apns.topic")) {
            return null;
        }
        Builder builder = builder().topic(settings.string("push.apns.topic"))
                .signingKey(Path.of(settings.string("push.apns.key-file")), settings.string("push.apns.team-id"),
                        settings.string("push.apns.key-id"))
                .server(settings.string("push.apns.host", ApnsClientBuilder.PRODUCTION_APNS_HOST),
                        settings.integer("push.apns.port", DEFAULT_PORT));
        if (settings.has("push.apns.trust-file")) {
            builder.trustFile(Path.of(settings.string("push.apns.trust-file")));
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private String topic;
        private Path keyFile;
        private String teamId;
        private String keyId;
        private String host = ApnsClientBuilder.PRODUCTION_APNS_HOST;
        private int port = DEFAULT_PORT;
        private Path trustFile;

        private Builder() {
        }

        /** The app's bundle id. */
        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder signingKey(Path keyFile, String teamId, String keyId) {
            this.keyFile = keyFile;
            this.teamId = teamId;
            this.keyId = keyId;
            return this;
        }

        public Builder server(String host, int port) {
            this.host = host;
            this.port = port;
            return this;
        }

        /** PEM certificates to trust instead of the JDK's (a test server's CA). */
        public Builder trustFile(Path trustFile) {
            this.trustFile = trustFile;
            return this;
        }

        public ApnsSettings build() {
            return new ApnsSettings(this);
        }
    }
}
