package io.duet.client;

import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.SignUpRequest;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/** Configures a {@link DuetClient} ({@link DuetClient#builder()}); server, and a token or a sign-up or log-in, are required. */
public final class DuetClientBuilder {
    InetSocketAddress server;
    Supplier<String> token;
    SignUpRequest signUp;
    LogInRequest logIn;
    String refreshToken;
    long lastSeq;
    long lastChange;
    DuetListener listener = new DuetListener() { };
    Duration callTimeout = Duration.ofSeconds(10);
    Duration minBackoff = Duration.ofMillis(200);
    Duration maxBackoff = Duration.ofSeconds(10);
    EventLoopGroup group;
    DuetTls tls;

    DuetClientBuilder() {
    }

    public DuetClientBuilder server(String host, int port) {
        this.server = InetSocketAddress.createUnresolved(host, port);
        return this;
    }

    public DuetClientBuilder server(InetSocketAddress address) {
        this.server = address;
        return this;
    }

    /** The session token, read at every (re)connect. */
    public DuetClientBuilder token(Supplier<String> token) {
        this.token = token;
        return this;
    }

    public DuetClientBuilder token(String token) {
        Objects.requireNonNull(token, "token");
        return token(() -> token);
    }

    /**
     * Instead of a token: sign up over the session's first connection, before it authenticates (no HTTP
     * needed), then authenticate it with the token got. The new session (token and refresh token) is
     * reported to {@link DuetListener#onSessionRefreshed}: store it, and use it next time. If the server
     * refuses (the email is taken, the password too weak, a rate limit), {@link DuetClient#connect()} fails with
     * that {@code DuetError}. The session renews its token with the refresh token got.
     */
    public DuetClientBuilder signUp(SignUpRequest request) {
        this.signUp = Objects.requireNonNull(request, "request");
        return this;
    }

    /** As {@link #signUp}, logging in to an existing account (a wrong password fails {@link DuetClient#connect()}). */
    public DuetClientBuilder logIn(LogInRequest request) {
        this.logIn = Objects.requireNonNull(request, "request");
        return this;
    }

    /**
     * The session's refresh token ({@code Session.refreshToken}): the client then renews its access
     * token before it expires, over the session itself, and reconnects with the new one, resuming
     * after the last message delivered. Each renewal is reported to {@link
     * DuetListener#onSessionRefreshed}, whose session carries the next refresh token (this one is
     * used up): store it. Without one, the session ends when its access token expires.
     */
    public DuetClientBuilder refreshToken(String refreshToken) {
        this.refreshToken = Objects.requireNonNull(refreshToken, "refreshToken");
        return this;
    }

    /** The last sequence number the app already has; only later messages are delivered. */
    public DuetClientBuilder resumeAfter(long lastSeq) {
        return resumeAfter(lastSeq, 0);
    }

    /**
     * The last sequence number the app already has, and the last change it applied ({@link
     * DuetClient#lastChange()}): only later messages are delivered, and the changes made since of the
     * messages it has are given to {@link DuetListener#onMessageChanged} first.
     */
    public DuetClientBuilder resumeAfter(long lastSeq, long lastChange) {
        if (lastSeq < 0) {
            throw new IllegalArgumentException("lastSeq: " + lastSeq + " (expected: >= 0)");
        }
        if (lastChange < 0) {
            throw new IllegalArgumentException("lastChange: " + lastChange + " (expected: >= 0)");
        }
        this.lastSeq = lastSeq;
        this.lastChange = lastChange;
        return this;
    }

    public DuetClientBuilder listener(DuetListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    public DuetClientBuilder callTimeout(Duration callTimeout) {
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        return this;
    }

    /** Reconnect delays grow from {@code min} to {@code max}, with jitter. */
    public DuetClientBuilder reconnectBackoff(Duration min, Duration max) {
        this.minBackoff = Objects.requireNonNull(min, "min");
        this.maxBackoff = Objects.requireNonNull(max, "max");
        return this;
    }

    /**
     * Connects over TLS ({@code client.tls.*} on the presentation servers, or a TLS load balancer);
     * plain TCP without. Reconnects resume the TLS session when they can ({@link DuetTls}).
     */
    public DuetClientBuilder tls(DuetTls tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        return this;
    }

    /** Shares an event loop group among many clients (tests, load generators). */
    public DuetClientBuilder eventLoopGroup(EventLoopGroup group) {
        this.group = group;
        return this;
    }

    public DuetClient build() {
        Objects.requireNonNull(server, "server");
        if ((token != null ? 1 : 0) + (signUp != null ? 1 : 0) + (logIn != null ? 1 : 0) != 1) {
            throw new IllegalStateException("give one of token, signUp and logIn");
        }
        if (token == null) {
            token(() -> {
                throw new IllegalStateException("no token yet");
            });
        }
        return new DuetClient(this);
    }
}
