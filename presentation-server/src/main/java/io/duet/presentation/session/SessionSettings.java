package io.duet.presentation.session;

import java.time.Duration;

/** Timeouts and limits of client TCP sessions. */
public final class SessionSettings {
    /** Credit of a session stream, in bytes of events the client has not taken yet; see {@link EventCredit}. */
    public static final int DEFAULT_REPLAY_WINDOW_BYTES = 128 * 1024;
    /** Calls a session may have relayed without a reply before its client's socket is no longer read. */
    public static final int DEFAULT_MAX_CALLS_IN_FLIGHT = 64;
    /**
     * How much longer than the ping interval a client may be silent before its session no longer counts as
     * a connected device for pushes ({@link ClientSilence}, {@link ClientQuiet}).
     */
    public static final Duration DEFAULT_QUIET_GRACE = Duration.ofSeconds(10);

    final Duration authTimeout;
    final Duration idleTimeout;
    final Duration pingInterval;
    final Duration rerouteDeadline;
    final int maxQueuedCalls;
    final long maxPendingWriteBytes;
    final int replayWindowBytes;
    final int maxCallsInFlight;
    final Duration quietGrace;

    public SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval, Duration rerouteDeadline,
            int maxQueuedCalls, long maxPendingWriteBytes, int replayWindowBytes) {
        this(authTimeout, idleTimeout, pingInterval, rerouteDeadline, maxQueuedCalls, maxPendingWriteBytes,
                replayWindowBytes, DEFAULT_MAX_CALLS_IN_FLIGHT);
    }

    public SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval, Duration rerouteDeadline,
            int maxQueuedCalls, long maxPendingWriteBytes, int replayWindowBytes, int maxCallsInFlight) {
        this(authTimeout, idleTimeout, pingInterval, rerouteDeadline, maxQueuedCalls, maxPendingWriteBytes,
                replayWindowBytes, maxCallsInFlight, DEFAULT_QUIET_GRACE);
    }

    private SessionSettings(Duration authTimeout, Duration idleTimeout, Duration pingInterval,
            Duration rerouteDeadline, int maxQueuedCalls, long maxPendingWriteBytes, int replayWindowBytes,
            int maxCallsInFlight, Duration quietGrace) {
        if (quietGrace.isNegative()) {
            throw new IllegalArgumentException("quietGrace: " + quietGrace + " (expected: >= 0)");
        }
        this.quietGrace = quietGrace;
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

    /** These settings with another {@link #quietGrace()}. */
    public SessionSettings withQuietGrace(Duration value) {
        return new SessionSettings(authTimeout, idleTimeout, pingInterval, rerouteDeadline, maxQueuedCalls,
                maxPendingWriteBytes, replayWindowBytes, maxCallsInFlight, value);
    }

    /** See {@link #DEFAULT_QUIET_GRACE}. */
    public Duration quietGrace() {
        return quietGrace;
    }

    /**
     * Silence after which a session no longer counts as a connected device for pushes: the ping interval
     * and {@link #quietGrace()}. From the idle timeout on the session is closed anyway.
     */
    Duration quietAfter() {
        return pingInterval.plus(quietGrace);
    }

    public static SessionSettings defaults() {
        return new SessionSettings(Duration.ofSeconds(10), Duration.ofSeconds(90), Duration.ofSeconds(30),
                Duration.ofSeconds(30), 256, 4L * 1024 * 1024, DEFAULT_REPLAY_WINDOW_BYTES);
    }
}
