package io.duet.presentation.tls;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * TLS on the client TCP and HTTP ports ({@link ClientTls}). Off by default: locally, and where the load
 * balancer terminates TLS. Settings:
 *
 * <ul>
 *   <li>{@code client.tls.enabled} ({@value #DEFAULT_ENABLED});
 *   <li>{@code client.tls.cert} and {@code client.tls.key}: the server's PEM certificate chain and PKCS#8
 *       private key (mode 0600), as the clients' name for the endpoint (the load balancer's) needs;
 *   <li>{@code client.tls.ticket-keys}: the session-ticket keys, shared by every presentation server behind
 *       one endpoint so that a client resumes on any of them ({@link TicketKeys}); without it each server
 *       makes its own at start, and a client resumes only on the server that issued its ticket;
 *   <li>{@code client.tls.ticket-keys.reload-interval} ({@link #DEFAULT_TICKET_KEY_RELOAD}): how often
 *       the ticket-key file is read again, so that keys rotate without a restart;
 *   <li>{@code client.tls.max-handshakes} ({@value #DEFAULT_MAX_HANDSHAKES}): handshakes in flight on this
 *       server; connections past it are closed at once ({@link HandshakeGate});
 *   <li>{@code client.tls.handshake-timeout} ({@link #DEFAULT_HANDSHAKE_TIMEOUT}).
 * </ul>
 */
public final class ClientTlsSettings {
    public static final String ENABLED = "client.tls.enabled";
    public static final String CERT = "client.tls.cert";
    public static final String KEY = "client.tls.key";
    public static final String TICKET_KEYS = "client.tls.ticket-keys";
    public static final String TICKET_KEY_RELOAD = "client.tls.ticket-keys.reload-interval";
    public static final String MAX_HANDSHAKES = "client.tls.max-handshakes";
    public static final String HANDSHAKE_TIMEOUT = "client.tls.handshake-timeout";

    public static final boolean DEFAULT_ENABLED = false;
    public static final Duration DEFAULT_TICKET_KEY_RELOAD = Duration.ofMinutes(1);
    /**
     * A full handshake costs this server about a millisecond of CPU (BENCHMARKS.md): 128 in flight are a
     * fraction of a second of work per core, while a reconnect storm after a deploy brings thousands.
     */
    public static final int DEFAULT_MAX_HANDSHAKES = 128;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final boolean enabled;
    private final Path certificate;
    private final Path key;
    private final Path ticketKeys;
    private final Duration ticketKeyReload;
    private final int maxHandshakes;
    private final Duration handshakeTimeout;

    private ClientTlsSettings(Builder builder) {
        this.enabled = builder.enabled;
        this.certificate = builder.certificate;
        this.key = builder.key;
        this.ticketKeys = builder.ticketKeys;
        this.ticketKeyReload = positive("ticketKeyReload", builder.ticketKeyReload);
        this.handshakeTimeout = positive("handshakeTimeout", builder.handshakeTimeout);
        if (builder.maxHandshakes < 1) {
            throw new IllegalArgumentException("maxHandshakes: " + builder.maxHandshakes + " (expected: >= 1)");
        }
        this.maxHandshakes = builder.maxHandshakes;
        if (enabled && (certificate == null || key == null)) {
            throw new SettingsException(CERT + ", " + KEY + ": missing; with " + ENABLED
                    + "=true the client ports need the server's certificate and key (PEM files)");
        }
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plain client ports. */
    public static ClientTlsSettings disabled() {
        return builder().build();
    }

    /** From {@code settings}; the defaults above for what they leave out. */
    public static ClientTlsSettings from(Settings settings) {
        Builder builder = builder()
                .enabled(settings.bool(ENABLED, DEFAULT_ENABLED))
                .ticketKeyReload(settings.duration(TICKET_KEY_RELOAD, DEFAULT_TICKET_KEY_RELOAD))
                .maxHandshakes(settings.integer(MAX_HANDSHAKES, DEFAULT_MAX_HANDSHAKES))
                .handshakeTimeout(settings.duration(HANDSHAKE_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT));
        if (settings.has(CERT)) {
            builder.certificate(Path.of(settings.string(CERT)));
        }
        if (settings.has(KEY)) {
            builder.key(Path.of(settings.string(KEY)));
        }
        if (settings.has(TICKET_KEYS)) {
            builder.ticketKeys(Path.of(settings.string(TICKET_KEYS)));
        }
        return builder.build();
    }

    public boolean enabled() {
        return enabled;
    }

    /** Null when disabled. */
    public Path certificate() {
        return certificate;
    }

    /** Null when disabled. */
    public Path key() {
        return key;
    }

    /** The shared ticket-key file, or null: keys of this server's own. */
    public Path ticketKeys() {
        return ticketKeys;
    }

    public Duration ticketKeyReload() {
        return ticketKeyReload;
    }

    public int maxHandshakes() {
        return maxHandshakes;
    }

    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private Path certificate;
        private Path key;
        private Path ticketKeys;
        private Duration ticketKeyReload = DEFAULT_TICKET_KEY_RELOAD;
        private int maxHandshakes = DEFAULT_MAX_HANDSHAKES;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** TLS on, with this certificate chain and private key. */
        public Builder certificate(Path certificate, Path key) {
            return enabled(true).certificate(certificate).key(key);
        }

        Builder certificate(Path certificate) {
            this.certificate = Objects.requireNonNull(certificate, "certificate");
            return this;
        }

        Builder key(Path key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        public Builder ticketKeys(Path ticketKeys) {
            this.ticketKeys = Objects.requireNonNull(ticketKeys, "ticketKeys");
            return this;
        }

        public Builder ticketKeyReload(Duration ticketKeyReload) {
            this.ticketKeyReload = ticketKeyReload;
            return this;
        }

        public Builder maxHandshakes(int maxHandshakes) {
            this.maxHandshakes = maxHandshakes;
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = handshakeTimeout;
            return this;
        }

        public ClientTlsSettings build() {
            return new ClientTlsSettings(this);
        }
    }
}
