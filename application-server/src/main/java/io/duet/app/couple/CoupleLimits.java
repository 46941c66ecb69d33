package io.duet.app.couple;

import java.time.Duration;

/** Sizes and timeouts of in-memory couples. */
public final class CoupleLimits {
    /** Longest message text, in characters. */
    public static final int MAX_TEXT_CHARS = 4000;
    /** Longest client message id, in characters. */
    public static final int MAX_CLIENT_MESSAGE_ID_CHARS = 128;
    /** Largest history page. */
    public static final int MAX_PAGE = 500;

    final int recentMessages;
    final int dedupIds;
    final int maxBatch;
    final int maxQueued;
    final Duration typingTimeout;
    final Duration idleTimeout;

    public CoupleLimits(int recentMessages, int dedupIds, int maxBatch, int maxQueued, Duration typingTimeout,
            Duration idleTimeout) {
        this.recentMessages = recentMessages;
        this.dedupIds = dedupIds;
        this.maxBatch = maxBatch;
        this.maxQueued = maxQueued;
        this.typingTimeout = typingTimeout;
        this.idleTimeout = idleTimeout;
    }

    public Duration typingTimeout() {
        return typingTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public static CoupleLimits defaults() {
        return new CoupleLimits(256, 4096, 128, 4096, Duration.ofSeconds(8), Duration.ofMinutes(5));
    }
}
