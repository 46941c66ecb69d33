package io.duet.security;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * Mutual TLS on the relay links between presentation and application servers. Both ends present a
 * certificate signed by the cluster's CA and accept only peers whose certificate that CA signed, so a
 * process without the cluster's credentials cannot open a relay stream. TLS 1.3 only; BoringSSL when
 * its native library loads, else the JDK's TLS.
 *
 * <p>Settings: {@code relay.tls.enabled} (default {@code true}), and PEM files {@code relay.tls.cert}
 * (this node's certificate chain), {@code relay.tls.key} (its PKCS#8 private key, readable by its owner
 * only) and {@code relay.tls.ca} (the cluster CA's certificate). Immutable.
 */
public final class RelayTls {
    public static final String ENABLED = "relay.tls.enabled";
    public static final String CERT = "relay.tls.cert";
    public static final String KEY = "relay.tls.key";
    public static final String CA = "relay.tls.ca";
    /** Relay TLS is on unless switched off. */
    public static final boolean DEFAULT_ENABLED = true;
    static final String PROTOCOL = "TLSv1.3";

    private final SslContext server;
    private final SslContext client;

    private RelayTls(SslContext server, SslContext client) {
        this.server = server;
        this.client = client;
    }

    /** Plain TCP relay links. */
    public static RelayTls disabled() {
        return new RelayTls(null, null);
    }

    /** Mutual TLS with this node's {@code cert} and {@code key}, trusting peers signed by {@code ca}. */
    public static RelayTls of(Path cert, Path key, Path ca) {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ca, "ca");
        SecretFiles.checkPrivate(KEY, key);
        try {
            SslContext server = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .sslProvider(provider())
                    .protocols(PROTOCOL)
                    .build();
            // Peers are named by the shard map, not by DNS: the CA's signature is what identifies them.
            SslContext client = SslContextBuilder.forClient()
                    .keyManager(cert.toFile(), key.toFile())
                    .trustManager(ca.toFile())
                    .endpointIdentificationAlgorithm(null)
                    .sslProvider(provider())
                    .protocols(PROTOCOL)
                    .build();
            return new RelayTls(server, client);
        } catch (SSLException | IllegalArgumentException e) {
            throw new SettingsException("relay.tls: cannot use " + CERT + "=" + cert + ", " + KEY + "=" + key + ", "
                    + CA + "=" + ca + ": " + e.getMessage(), e);
        }
    }

    /** From {@code settings}: every file is required unless {@code relay.tls.enabled=false}. */
    public static RelayTls from(Settings settings) {
        if (!settings.bool(ENABLED, DEFAULT_ENABLED)) {
            return disabled();
        }
        for (String key : new String[] {CERT, KEY, CA}) {
            if (!settings.has(key)) {
                throw new SettingsException(key + ": missing; relay links use mutual TLS, so every server needs "
                        + CERT + ", " + KEY + " and " + CA + " (PEM files; or " + ENABLED + "=false on a trusted network)");
            }
        }
        return of(Path.of(settings.string(CERT)), Path.of(settings.string(KEY)), Path.of(settings.string(CA)));
    }

    /** BoringSSL if its native library loads here, else the JDK. */
    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public boolean enabled() {
        return server != null;
    }

    /** The first handler of an accepted relay connection; only when {@link #enabled()}. */
    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        requireEnabled();
        return server.newHandler(alloc);
    }

    /** The first handler of a relay connection to {@code host}:{@code port}; only when {@link #enabled()}. */
    public SslHandler newClientHandler(ByteBufAllocator alloc, String host, int port) {
        requireEnabled();
        return client.newHandler(alloc, host, port);
    }

    private void requireEnabled() {
        if (!enabled()) {
            throw new IllegalStateException("relay TLS is disabled");
        }
    }

    @Override
    public String toString() {
        return enabled() ? "mutual " + PROTOCOL + " (" + provider() + ")" : "off";
    }
}
