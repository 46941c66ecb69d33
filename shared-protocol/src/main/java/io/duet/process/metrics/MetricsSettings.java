package io.duet.process.metrics;

import io.duet.settings.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a server's meters go besides its admin port's {@code /metrics} (which always serves them to
 * Prometheus): Amazon CloudWatch, off unless {@value #CLOUDWATCH_ENABLED_KEY} is true. {@link #builder()}
 * starts from the defaults; {@link #from(Settings)} reads:
 *
 * <pre>
 * metrics.cloudwatch.enabled     false    export to CloudWatch; no AWS client is made while false
 * metrics.cloudwatch.namespace   Duet     the CloudWatch namespace of every metric
 * metrics.cloudwatch.dimensions  (none)   name=value pairs, comma-separated, added to every metric
 *                                         (such as cluster=prod,tier=app)
 * metrics.cloudwatch.step        1m       how often meters are sent (CloudWatch's resolution is 1 minute)
 * metrics.cloudwatch.meters      duet.,jvm.memory.used,jvm.gc.pause,jvm.threads.live,netty.allocator.memory.used
 *                                         name prefixes of the meters sent (each metric costs money)
 * metrics.cloudwatch.region      (SDK)    the AWS region; unset: the SDK's chain (AWS_REGION, instance metadata)
 * metrics.cloudwatch.endpoint    (AWS)    another CloudWatch endpoint URL (a VPC endpoint, a test double)
 * </pre>
 *
 * Credentials come from the SDK's default chain (an instance role on EC2).
 */
public final class MetricsSettings {
    public static final String CLOUDWATCH_ENABLED_KEY = "metrics.cloudwatch.enabled";
    public static final String NAMESPACE_KEY = "metrics.cloudwatch.namespace";
    public static final String DIMENSIONS_KEY = "metrics.cloudwatch.dimensions";
    public static final String STEP_KEY = "metrics.cloudwatch.step";
    public static final String METERS_KEY = "metrics.cloudwatch.meters";
    public static final String REGION_KEY = "metrics.cloudwatch.region";
    public static final String ENDPOINT_KEY = "metrics.cloudwatch.endpoint";

    public static final boolean DEFAULT_CLOUDWATCH_ENABLED = false;
    public static final String DEFAULT_NAMESPACE = "Duet";
    public static final Duration DEFAULT_STEP = Duration.ofMinutes(1);
    /** Duet's own meters and the JVM's and Netty's essentials: a few hundred metrics per server, not thousands. */
    public static final List<String> DEFAULT_METERS = List.of("duet.", "jvm.memory.used", "jvm.gc.pause",
            "jvm.threads.live", "netty.allocator.memory.used");

    final boolean cloudWatchEnabled;
    final String namespace;
    final Map<String, String> dimensions;
    final Duration step;
    final List<String> meters;
    /** Null: the SDK's default region chain. */
    final String region;
    /** Null: CloudWatch's own endpoint for the region. */
    final URI endpoint;

    private MetricsSettings(Builder builder) {
        this.cloudWatchEnabled = builder.cloudWatchEnabled;
        this.namespace = Objects.requireNonNull(builder.namespace, "namespace");
        if (namespace.isBlank() || namespace.length() > 255) {
            throw new IllegalArgumentException("namespace: \"" + namespace + "\" (expected: 1..255 characters)");
        }
        this.dimensions = Map.copyOf(builder.dimensions);
        if (dimensions.size() > 10) {
            throw new IllegalArgumentException("dimensions: " + dimensions.size()
                    + " (expected: at most 10, leaving room for the meters' own tags under CloudWatch's 30)");
        }
        this.step = Objects.requireNonNull(builder.step, "step");
        if (step.toSeconds() < 1) {
            throw new IllegalArgumentException("step: " + step + " (expected: >= 1s)");
        }
        this.meters = List.copyOf(builder.meters);
        this.region = builder.region == null || builder.region.isBlank() ? null : builder.region;
        this.endpoint = builder.endpoint;
    }

    /** The metrics settings of a server, else the defaults. */
    public static MetricsSettings from(Settings settings) {
        Builder builder = builder()
                .cloudWatchEnabled(settings.bool(CLOUDWATCH_ENABLED_KEY, DEFAULT_CLOUDWATCH_ENABLED))
                .namespace(settings.string(NAMESPACE_KEY, DEFAULT_NAMESPACE))
                .dimensions(parseDimensions(settings.list(DIMENSIONS_KEY)))
                .step(settings.duration(STEP_KEY, DEFAULT_STEP))
                .region(settings.string(REGION_KEY, null));
        if (settings.has(METERS_KEY)) {
            builder.meters(settings.list(METERS_KEY));
        }
        if (settings.has(ENDPOINT_KEY)) {
            builder.endpoint(URI.create(settings.string(ENDPOINT_KEY)));
        }
        return builder.build();
    }

    static Map<String, String> parseDimensions(List<String> pairs) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            if (equals <= 0 || equals == pair.length() - 1) {
                throw new IllegalArgumentException(DIMENSIONS_KEY + ": \"" + pair + "\" (expected: name=value)");
            }
            dimensions.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return dimensions;
    }

    public static MetricsSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean cloudWatchEnabled() {
        return cloudWatchEnabled;
    }

    public String namespace() {
        return namespace;
    }

    public Map<String, String> dimensions() {
        return dimensions;
    }

    public Duration step() {
        return step;
    }

    public List<String> meters() {
        return meters;
    }

    @Override
    public String toString() {
        return cloudWatchEnabled ? "MetricsSettings{cloudwatch " + namespace + " " + dimensions + " every " + step + '}'
                : "MetricsSettings{cloudwatch off}";
    }

    /** Mutable; {@link #build()} checks the values and makes the immutable settings. */
    public static final class Builder {
        private boolean cloudWatchEnabled = DEFAULT_CLOUDWATCH_ENABLED;
        private String namespace = DEFAULT_NAMESPACE;
        private Map<String, String> dimensions = Map.of();
        private Duration step = DEFAULT_STEP;
        private List<String> meters = DEFAULT_METERS;
        private String region;
        private URI endpoint;

        private Builder() {
        }

        public Builder cloudWatchEnabled(boolean enabled) {
            this.cloudWatchEnabled = enabled;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder dimensions(Map<String, String> dimensions) {
            this.dimensions = dimensions;
            return this;
        }

        public Builder step(Duration step) {
            this.step = step;
            return this;
        }

        public Builder meters(List<String> namePrefixes) {
            this.meters = namePrefixes;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public MetricsSettings build() {
            return new MetricsSettings(this);
        }
    }
}
