package io.duet.presentation.tls;

import io.duet.security.RelayTls;
import io.duet.security.SecretFiles;
import io.duet.settings.SettingsException;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionStats;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on a presentation server's client ports, terminated in Netty: {@link #wrap} puts an {@code
 * SslHandler} (with the handshake timeout) and a {@link HandshakeGate} (the bound on handshakes in
 * flight) in front of a port's own pipeline. TLS 1.3 and 1.2, BoringSSL when its native library loads
 * ({@link RelayTls#provider()}), else the JDK's TLS.
 *
 * <p>Session resumption: with BoringSSL, sessions resume by ticket (TLS 1.3 PSK tickets, TLS 1.2 session
 * tickets) under the keys of {@link TicketKeys}, read from {@code client.tls.ticket-keys} and read again
 * every {@code client.tls.ticket-keys.reload-interval} when the file changed, so that every server behind
 * the endpoint resumes every other's sessions and keys rotate without a restart. Without a file, keys of
 * this process's own. With the JDK's TLS the keys cannot be set: tickets resume on the issuing server only.
 *
 * <p>Lifecycle: built by {@link #create}; {@link #close()} (idempotent) stops the key reloads.
 */
public final class ClientTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientTls.class);
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final ClientTlsSettings settings;
    private final SslContext context;
    private final HandshakeGate.Budget budget;
    private final ScheduledExecutorService reloader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private FileTime keysModified;

    private ClientTls(ClientTlsSettings settings, SslContext context) {
        this.settings = settings;
        this.context = context;
        this.budget = new HandshakeGate.Budget(settings.maxHandshakes());
        this.reloader = context != null && settings.ticketKeys() != null && ticketKeysSettable()
                ? Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "duet-tls-ticket-keys");
                    thread.setDaemon(true);
                    return thread;
                })
                : null;
    }

    /**
     * The client ports' TLS as {@code settings} say; reads the certificate, key and ticket keys now,
     * and refuses (a {@link SettingsException} that says why) any it cannot use.
     */
    public static ClientTls create(ClientTlsSettings settings) {
        if (!settings.enabled()) {
            return new ClientTls(settings, null);
        }
        SecretFiles.checkPrivate(ClientTlsSettings.KEY, settings.key());
        SslContext context;
        try {
            context = SslContextBuilder.forServer(settings.certificate().toFile(), settings.key().toFile())
                    .sslProvider(RelayTls.provider())
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new SettingsException("client.tls: cannot use " + ClientTlsSettings.CERT + "=" + settings.certificate()
                    + ", " + ClientTlsSettings.KEY + "=" + settings.key() + ": " + e.getMessage(), e);
        }
        ClientTls tls = new ClientTls(settings, context);
        tls.installTicketKeys();
        return tls;
    }

    private boolean ticketKeysSettable() {
        return context.sessionContext() instanceof OpenSslSessionContext;
    }

    private void installTicketKeys() {
        if (!ticketKeysSettable()) {
            LOG.warn("Client TLS through the JDK (BoringSSL did not load): session tickets resume on this server only");
            return;
        }
        if (settings.ticketKeys() == null) {
            setKeys(List.of(TicketKeys.random()));
            LOG.warn("Client TLS: no {}, so session tickets of this server's own: a client resumes only here",
                    ClientTlsSettings.TICKET_KEYS);
            return;
        }
        reloadKeys();
        long every = settings.ticketKeyReload().toMillis();
        reloader.scheduleWithFixedDelay(this::reloadQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Reads the ticket-key file if it changed since the last read; on the reloader thread (or at start). */
    void reloadKeys() {
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(settings.ticketKeys());
        } catch (IOException e) {
            throw new SettingsException(ClientTlsSettings.TICKET_KEYS + ": cannot read " + settings.ticketKeys()
                    + ": " + e.getMessage(), e);
        }
        if (modified.equals(keysModified)) {
            return;
        }
        List<OpenSslSessionTicketKey> keys = TicketKeys.read(settings.ticketKeys());
        setKeys(keys);
        keysModified = modified;
        LOG.info("Client TLS: {} session-ticket keys from {}", keys.size(), settings.ticketKeys());
    }

    private void reloadQuietly() {
        try {
            reloadKeys();
        } catch (RuntimeException e) {
            // The keys in use stay: a bad edit must not stop resumption, nor the server.
            LOG.error("Client TLS: keeping the current session-ticket keys: {}", e.getMessage());
        }
    }

    private void setKeys(List<OpenSslSessionTicketKey> keys) {
        ((OpenSslSessionContext) context.sessionContext()).setTicketKeys(keys.toArray(new OpenSslSessionTicketKey[0]));
    }

    public boolean enabled() {
        return context != null;
    }

    /**
     * {@code inner}, behind TLS when {@link #enabled()}: the pipeline starts with the TLS handler and the
     * handshake gate, then {@code inner} adds its own handlers. {@code inner} itself when disabled.
     */
    public ChannelInitializer<SocketChannel> wrap(ChannelInitializer<SocketChannel> inner) {
        if (!enabled()) {
            return inner;
        }
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                SslHandler tls = context.newHandler(channel.alloc());
                tls.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
                channel.pipeline().addLast("tls", tls);
                channel.pipeline().addLast("handshakeGate", new HandshakeGate(budget));
                channel.pipeline().addLast(inner);
            }
        };
    }

    /** Handshakes under way now. */
    public int handshakesInFlight() {
        return budget.inFlight();
    }

    /** Connections closed, since start, because {@code client.tls.max-handshakes} were under way. */
    public long handshakesRefused() {
        return budget.refused();
    }

    /** Handshakes completed since start, and how many of them resumed a session by ticket. */
    public Stats stats() {
        long resumed = 0;
        if (enabled() && ticketKeysSettable()) {
            // Under the current key, or under an older one (then BoringSSL issues a ticket under the current).
            OpenSslSessionStats stats = ((OpenSslSessionContext) context.sessionContext()).stats();
            resumed = stats.ticketKeyResume() + stats.ticketKeyRenew();
        }
        return new Stats(budget.completed(), resumed);
    }

    /**
     * @param handshakes handshakes completed since start
     * @param resumed of those, how many resumed a session by ticket (BoringSSL's count: 0 through the JDK)
     */
    public record Stats(long handshakes, long resumed) {
    }

    @Override
    public String toString() {
        if (!enabled()) {
            return "off";
        }
        SslProvider provider = RelayTls.provider();
        return String.join("/", PROTOCOLS) + " (" + provider + "), tickets "
                + (!ticketKeysSettable() ? "per server (JDK)"
                        : settings.ticketKeys() != null ? "from " + settings.ticketKeys() : "of this server's own")
                + ", at most " + settings.maxHandshakes() + " handshakes in flight, timeout "
                + settings.handshakeTimeout().toMillis() + " ms";
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && reloader != null) {
            reloader.shutdownNow();
        }
    }
}
