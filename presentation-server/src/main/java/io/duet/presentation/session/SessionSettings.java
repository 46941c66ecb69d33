package io.duet.presentation.session;

import java.time.Duration;

/** Timeouts and limits of client TCP sessions. */
public final class SessionSettings {
    /** Credit of a session stream, in bytes of events the client has not taken yet; see {@link EventCredit}. */
    public static final int DEFAULT_REPLAY_WINDOW_BYTES = 128 * 1024;
    /** Calls a session may have relayed without a reply before its client's socket is no longer read. */
    public static final int DEFAULT_MAX_CALLS_IN_FLIGHT = 64;

    final Duration authTimeout;
    final Duration idleTimeout;
    final Duration pingInterval;
    final Duration rerouteDeadline;
    final int maxQueuedCalls;
    final long maxPendingWriteBytes;
    final int replayWindowBytes;
    final int maxCallsInFlight;

    public SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval, Duration rerouteDeadline,
            int maxQueuedCalls, long maxPendingWriteBytes, int replayWindowBytes) {
        this(authTimeout, idleTimeout, pingInterval, rerouteDeadline, maxQueuedCalls, maxPendingWriteBytes,
                replayWindowBytes, DEFAULT_MAX_CALLS_IN_FLIGHT);
    }

    public SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval, Duration rerouteDeadline,
            int maxQueuedCalls, long maxPendingWriteBytes, int replayWindowBytes, int maxCallsInFlight) {
        this.authTimeout = authTimeout;
        this.idleTimeout = idleTimeout;
        this.pingInterval = pingInterval;
        this.rerouteDeadline = rerouteDeadline;
        this.maxQueuedCalls = maxQueuedCalls;
        this.maxPendingWriteBytes = maxPendingWriteBytes;
        if (replayWindowBytes < 1) {
            throw new IllegalArgumentException("replayWindowBytes: " + replayWindowBytes + " (expected: >= 1)");
        }
        this.replayWindowBytes = replayWindowBytes;
        if (maxCallsInFlight < 1) {
            throw new IllegalArgumentException("maxCallsInFlight: " + maxCallsInFlight + " (expected: >= 1)");
        }
        this.maxCallsInFlight = maxCallsInFlight;
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

    public int replayWindowBytes() {
        return replayWindowBytes;
    }

    public int maxCallsInFlight() {
        return maxCallsInFlight;
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Duration.ofSeconds(10), Duration.ofSeconds(90), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 256, 4L * 1024 * 1024, DEFAULT_REPLAY_WINDOW_BYTES);
    }
}
