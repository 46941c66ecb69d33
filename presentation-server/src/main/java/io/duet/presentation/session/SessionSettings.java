package io.duet.presentation.session;

import java.time.Duration;

/** Timeouts and limits of client TCP sessions. */
public final class SessionSettings {
    final Duration authTimeout;
    final Duration idleTimeout;
    final Duration pingInterval;
    final Duration rerouteDeadline;
    final int maxQueuedCalls;
    final long maxPendingWriteBytes;

    public SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval, Duration rerouteDeadline,
            int maxQueuedCalls, long maxPendingWriteBytes) {
        this.authTimeout = authTimeout;
        this.idleTimeout = idleTimeout;
        this.pingInterval = pingInterval;
        this.rerouteDeadline = rerouteDeadline;
        this.maxQueuedCalls = maxQueuedCalls;
        this.maxPendingWriteBytes = maxPendingWriteBytes;
    }

    public Duration authTimeout() {
        return authTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration pingInterval() {
        return pingInterval;
    }

    public Duration rerouteDeadline() {
        return rerouteDeadline;
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Duration.ofSeconds(10), Duration.ofSeconds(90), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 256, 4L * 1024 * 1024);
    }
}
