package io.duet.app.photo;

import io.duet.security.SecretFiles;
import io.duet.settings.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where photos' objects live. In production: real S3, {@code s3.bucket} and {@code s3.region}, credentials
 * from the AWS SDK's default chain (environment, instance profile, ...). The local cluster and the tests add
 * {@code s3.endpoint} (S3Proxy), a static key ({@code s3.access-key}, {@code s3.secret-key-file}: a file
 * readable by its owner only) and path-style URLs ({@code s3.path-style}).
 */
public final class S3Settings {
    public static final String DEFAULT_REGION = "us-east-1";

    final URI endpoint;
    final String bucket;
    final String region;
    final String accessKey;
    final String secretKey;
    final boolean pathStyle;

    private S3Settings(Builder builder) {
        this.endpoint = builder.endpoint;
        this.bucket = Objects.requireNonNull(builder.bucket, "bucket");
        this.region = Objects.requireNonNull(builder.region, "region");
        if ((builder.accessKey == null) != (builder.secretKey == null)) {
            throw new IllegalArgumentException("accessKey and secretKey: set both or neither (the default chain)");
        }
        this.accessKey = builder.accessKey;
        this.secretKey = builder.secretKey;
        this.pathStyle = builder.pathStyle;
    }

    /** The {@code s3.*} settings, or null when {@code s3.bucket} is not set (photos are then unavailable). */
    public static S3Settings from(Settings settings) {
        if (!settings.has("s3.bucket")) {
            return null;
        }
        Builder builder = builder().bucket(settings.string("s3.bucket"))
                .region(settings.string("s3.region", DEFAULT_REGION))
                .pathStyle(Boolean.parseBoolean(settings.string("s3.path-style", "false")));
        if (settings.has("s3.endpoint")) {
            builder.endpoint(URI.create(settings.string("s3.endpoint")));
        }
        if (settings.has("s3.access-key")) {
            builder.staticKey(settings.string("s3.access-key"),
                    SecretFiles.readPrivate("s3.secret-key-file", Path.of(settings.string("s3.secret-key-file"))));
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private URI endpoint;
        private String bucket;
        private String region = DEFAULT_REGION;
        private String accessKey;
        private String secretKey;
        private boolean pathStyle;

        private Builder() {
        }

        /** Another S3 API than AWS's (S3Proxy); unset for AWS. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** A static key instead of the default credentials chain. */
        public Builder staticKey(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** URLs of the form endpoint/bucket/key instead of bucket.endpoint/key. */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        public S3Settings build() {
            return new S3Settings(this);
        }
    }
}
