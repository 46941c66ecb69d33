package io.duet.presentation.drain;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a presentation server drains: over what window it asks its clients to move ({@value #WINDOW_KEY}),
 * and how long it waits for them before it closes the rest ({@value #DEADLINE_KEY}); both from the
 * moment the drain begins. {@link #builder()} starts from the defaults, {@link #from(Settings)} reads the
 * keys.
 */
public final class DrainSettings {
    public static final String WINDOW_KEY = "drain.window";
    public static final String DEADLINE_KEY = "drain.deadline";
    /** Long enough that a full server's clients do not all land on the others in the same second. */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(10);
    /** The window, plus time for the last clients to finish their calls and go. */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);
    /** The most a notice asks a client to spread its own reconnect over. */
    public static final Duration DEFAULT_MAX_RECONNECT_SPREAD = Duration.ofSeconds(1);

    final Duration window;
    final Duration deadline;
    final Duration maxReconnectSpread;

    private DrainSettings(Builder builder) {
        this.window = Objects.requireNonNull(builder.window, "window");
        this.deadline = Objects.requireNonNull(builder.deadline, "deadline");
        this.maxReconnectSpread = Objects.requireNonNull(builder.maxReconnectSpread, "maxReconnectSpread");
        if (window.isNegative()) {
            throw new IllegalArgumentException("window: " + window + " (expected: >= 0)");
        }
        if (deadline.compareTo(window) < 0) {
            throw new IllegalArgumentException("deadline: " + deadline + " (expected: >= the window, " + window + ")");
        }
        if (maxReconnectSpread.isNegative()) {
            throw new IllegalArgumentException("maxReconnectSpread: " + maxReconnectSpread + " (expected: >= 0)");
        }
    }

    /** {@value #WINDOW_KEY} and {@value #DEADLINE_KEY}, else the defaults. */
    public static DrainSettings from(Settings settings) {
        return builder()
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
        return "DrainSettings{window=" + window + ", deadline=" + deadline + ", maxReconnectSpread="
                + maxReconnectSpread + '}';
    }

    /** Mutable; {@link #build()} checks the values and makes the immutable settings. */
    public static final class Builder {
        private Duration window = DEFAULT_WINDOW;
        private Duration deadline = DEFAULT_DEADLINE;
        private Duration maxReconnectSpread = DEFAULT_MAX_RECONNECT_SPREAD;

        private Builder() {
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
