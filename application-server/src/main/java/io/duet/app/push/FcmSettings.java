package io.duet.app.push;

import io.duet.settings.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * FCM's HTTP v1 API ({@code push.fcm.*}): the Firebase project and a service account's key file (the JSON
 * Google issues, readable by its owner only), whose key signs the OAuth2 assertion exchanged for access
 * tokens. {@code endpoint} (default {@value #DEFAULT_ENDPOINT}) and {@code token-uri} (default: the key
 * file's {@code token_uri}) are settable, and {@code trust-file} trusts a test server's certificate
 * authority.
 */
public final class FcmSettings {
    public static final String DEFAULT_ENDPOINT = "https://fcm.googleapis.com";

    final String projectId;
    final Path serviceAccountFile;
    final URI endpoint;
    final URI tokenUri;
    final Path trustFile;

    private FcmSettings(Builder builder) {
        this.projectId = Objects.requireNonNull(builder.projectId, "projectId");
        this.serviceAccountFile = Objects.requireNonNull(builder.serviceAccountFile, "serviceAccountFile");
        this.endpoint = Objects.requireNonNull(builder.endpoint, "endpoint");
        this.tokenUri = builder.tokenUri;
        this.trustFile = builder.trustFile;
    }

    /** The {@code push.fcm.*} settings, or null when {@code push.fcm.project-id} is not set (no FCM). */
    public static FcmSettings from(Settings settings) {
        if (!settings.has("push.fcm.project-id")) {
            return null;
        }
        Builder builder = builder().projectId(settings.string("push.fcm.project-id"))
                .serviceAccountFile(Path.of(settings.string("push.fcm.service-account-file")))
                .endpoint(URI.create(settings.string("push.fcm.endpoint", DEFAULT_ENDPOINT)));
        if (settings.has("push.fcm.token-uri")) {
            builder.tokenUri(URI.create(settings.string("push.fcm.token-uri")));
        }
        if (settings.has("push.fcm.trust-file")) {
            builder.trustFile(Path.of(settings.string("push.fcm.trust-file")));
        }
        return builder.build();
    }

    /** Where messages of this project are sent: {@code <endpoint>/v1/projects/<project id>/messages:send}. */
    URI sendUri() {
        String base = endpoint.toString().replaceAll("/+$", "");
        return URI.create(base + "/v1/projects/" + projectId + "/messages:send");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private String projectId;
        private Path serviceAccountFile;
        private URI endpoint = URI.create(DEFAULT_ENDPOINT);
        private URI tokenUri;
        private Path trustFile;

        private Builder() {
        }

        public Builder projectId(String projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder serviceAccountFile(Path serviceAccountFile) {
            this.serviceAccountFile = serviceAccountFile;
            return this;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** The OAuth2 token endpoint; unset: the service account file's {@code token_uri}. */
        public Builder tokenUri(URI tokenUri) {
            this.tokenUri = tokenUri;
            return this;
        }

        /** PEM certificates to trust instead of the JDK's (a test server's CA). */
        public Builder trustFile(Path trustFile) {
            this.trustFile = trustFile;
            return this;
        }

        public FcmSettings build() {
            return new FcmSettings(this);
        }
    }
}
