package io.duet.process.admin;

import io.duet.process.metrics.MetricsSettings;
import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the admin port listens, how long it keeps a silent connection, and where else its meters go
 * ({@link MetricsSettings}); {@link #builder()} starts from the defaults, {@link #from(Settings)} reads
 * {@value #HOST_KEY}, {@value #PORT_KEY} and the {@code metrics.*} keys.
 */
public final class AdminSettings {
    /** The settings key of the address to bind. */
    public static final String HOST_KEY = "admin.host";
    /** The settings key of the port to bind; 0 takes any free port (the ready file then says which). */
    public static final String PORT_KEY = "admin.port";
    /** Only this machine by default: health checks and scrapers usually run beside the server. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 0;
    /** A connection with no traffic either way for this long is closed. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    final String host;
    final int port;
    final Duration idleTimeout;
    final MetricsSettings metrics;

    private AdminSettings(Builder builder) {
        this.host = Objects.requireNonNull(builder.host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: \"" + host + "\" (expected: an address or a host name)");
        }
        if (builder.port < 0 || builder.port > 65535) {
            throw new IllegalArgumentException("port: " + builder.port + " (expected: 0..65535)");
        }
        this.port = builder.port;
        this.idleTimeout = Objects.requireNonNull(builder.idleTimeout, "idleTimeout");
        if (idleTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 1ms)");
        }
        this.metrics = Objects.requireNonNull(builder.metrics, "metrics");
    }

    /** The admin settings of a server: {@value #HOST_KEY} and {@value #PORT_KEY}, else the defaults. */
    public static AdminSettings from(Settings settings) {
        return builder()
                .host(settings.string(HOST_KEY, DEFAULT_HOST))
                .port(settings.integer(PORT_KEY, DEFAULT_PORT))
                .metrics(MetricsSettings.from(settings))
                .build();
    }

    public static AdminSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public MetricsSettings metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return "AdminSettings{" + host + ':' + port + ", idleTimeout=" + idleTimeout + ", " + metrics + '}';
    }

    /** Mutable; {@link #build()} checks the values and makes the immutable settings. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private MetricsSettings metrics = MetricsSettings.defaults();

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder metrics(MetricsSettings metrics) {
            this.metrics = metrics;
            return this;
        }

        public AdminSettings build() {
            return new AdminSettings(this);
        }
    }
}
