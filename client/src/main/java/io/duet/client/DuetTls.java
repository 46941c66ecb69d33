package io.duet.client;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * TLS to a Duet endpoint that serves it (the presentation servers' {@code client.tls.*}, or a load
 * balancer that terminates TLS): trusting the system's certificate authorities, or those of one PEM file.
 * The server's name is checked against its certificate.
 *
 * <p>One instance keeps one session cache: a reconnect to the same host and port, through the same
 * instance, resumes the TLS session by ticket (a fraction of a full handshake's cost, on both ends), on
 * whichever presentation server the load balancer picks, as long as they share their ticket keys. Give
 * {@link DuetClientBuilder#tls} and {@link DuetHttp} the same instance; it is immutable and thread-safe.
 * The JDK's TLS, so that apps need no native library.
 */
public final class DuetTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SslContext context;
    private final String description;

    private DuetTls(SslContext context, String description) {
        this.context = context;
        this.description = description;
    }

    /** Trusts the certificate authorities the JDK trusts. */
    public static DuetTls systemTrust() {
        try {
            return new DuetTls(builder().build(), "TLS, system trust store");
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK's TLS is not usable: " + e.getMessage(), e);
        }
    }

    /** Trusts the certificate authorities of {@code caFile} (PEM) only. */
    public static DuetTls trusting(Path caFile) {
        Objects.requireNonNull(caFile, "caFile");
        if (!Files.isReadable(caFile)) {
            throw new IllegalArgumentException("caFile: " + caFile + " (expected: a readable PEM file)");
        }
        try {
            return new DuetTls(builder().trustManager(caFile.toFile()).build(), "TLS, trusting " + caFile);
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("caFile: " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static SslContextBuilder builder() {
        return SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols(PROTOCOLS)
                .endpointIdentificationAlgorithm("HTTPS");
    }

    /**
     * A handler for a connection to {@code host}:{@code port} as the app names the endpoint: the session
     * cache is keyed by them, so every reconnect to the endpoint may resume.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        return context.newHandler(alloc, host, port);
    }

    /** The JDK context underneath, for HTTPS clients. */
    public SSLContext sslContext() {
        return ((JdkSslContext) context).context();
    }

    @Override
    public String toString() {
        return description;
    }
}
