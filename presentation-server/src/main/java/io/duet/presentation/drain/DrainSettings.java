package io.duet.presentation.drain;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a presentation server drains: how long it stays not-ready but still accepting, so that the load
 * balancer stops sending it clients before it refuses any ({@value #DELAY_KEY}); over what window it then
 * asks its clients to move ({@value #WINDOW_KEY}); and how long after the drain began it closes the rest
 * ({@value #DEADLINE_KEY}, at least the delay and the window). {@link #builder()} starts from the defaults, {@link #from(Settings)} reads the
 * keys.
 */
public final class DrainSettings {
    public static final String WINDOW_KEY = "drain.window";
    public static final String DEADLINE_KEY = "drain.deadline";
    public static final String DELAY_KEY = "drain.delay";
    /** Long enough that a full server's clients do not all land on the others in the same second. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    /** The window, plus time for the last clients to finish their calls and go. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    /**
     * None: HAProxy (the local cluster's load balancer) retries a refused connection on another server,
     * so the listeners may close at once. Behind a load balancer that does not (an AWS NLB), set it to
     * the time its health checks take to see {@code /ready} fail (interval x unhealthy threshold).
     */
    public static final Duration DEFAULT_DELAY = Duration.ZERO;
    /** The most a notice asks a client to spread its own reconnect over. */
    public static final Duration DEFAULT_MAX_RECONNECT_SPREAD = Duration.ofSeconds(1);

    final Duration delay;
    final Duration window;
    final Duration deadline;
    final Duration maxReconnectSpread;

    private DrainSettings(Builder builder) {
        this.delay = Objects.requireNonNull(builder.delay, "delay");
        this.window = Objects.requireNonNull(builder.window, "window");
        this.deadline = Objects.requireNonNull(builder.deadline, "deadline");
        this.maxReconnectSpread = Objects.requireNonNull(builder.maxReconnectSpread, "maxReconnectSpread");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
        }
        if (window.isNegative()) {
            throw new IllegalArgumentException("window: " + window + " (expected: >= 0)");
        }
        if (deadline.compareTo(delay.plus(window)) < 0) {
            throw new IllegalArgumentException("deadline: " + deadline + " (expected: >= the delay and the window, "
                    + delay.plus(window) + ")");
        }
        if (maxReconnectSpread.isNegative()) {
            throw new IllegalArgumentException("maxReconnectSpread: " + maxReconnectSpread + " (expected: >= 0)");
        }
    }

    /** {@value #WINDOW_KEY} and {@value #DEADLINE_KEY}, else the defaults. */
    public static DrainSettings from(Settings settings) {
        return builder()
                .delay(settings.duration(DELAY_KEY, DEFAULT_DELAY))
                .window(settings.duration(WINDOW_KEY, DEFAULT_WINDOW))
                .deadline(settings.duration(DEADLINE_KEY, DEFAULT_DEADLINE))
                .build();
    }

    public static DrainSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration delay() {
        return delay;
    }

    public Duration window() {
        return window;
    }

    public Duration deadline() {
        return deadline;
    }

    public Duration maxReconnectSpread() {
        return maxReconnectSpread;
    }

    @Override
    public String toString() {
        return "DrainSettings{delay=" + delay + ", window=" + window + ", deadline=" + deadline + ", maxReconnectSpread="
                + maxReconnectSpread + '}';
    }

    /** Mutable; {@link #build()} checks the values and makes the immutable settings. */
    public static final class Builder {
        private Duration delay = DEFAULT_DELAY;
        private Duration window = DEFAULT_WINDOW;
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration maxReconnectSpread = DEFAULT_MAX_RECONNECT_SPREAD;

        private Builder() {
        }

        /** How long the server, once not ready, goes on accepting before it starts moving its clients. */
        public Builder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        public Builder window(Duration window) {
            this.window = window;
            return this;
        }

        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        public Builder maxReconnectSpread(Duration maxReconnectSpread) {
            this.maxReconnectSpread = maxReconnectSpread;
            return this;
        }

        public DrainSettings build() {
            return new DrainSettings(this);
        }
    }
}
