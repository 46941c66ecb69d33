package io.duet.deploy.local;

import java.time.Duration;

/**
 * How a supervised local cluster heals ({@link LocalClusterBuilder#supervise(SupervisionSettings)}): a
 * node that dies when nobody asked it to stop is restarted after {@link #firstBackoff()}, doubled after
 * each further death up to {@link #maxBackoff()}, and back to the first once the node stayed up for
 * {@link #stableAfter()}. A node that dies {@link #crashLoopDeaths()} times within
 * {@link #crashLoopWindow()} (a failed restart counts) is in a crash loop: that is reported and it is
 * not restarted again until the cluster is started again.
 */
public final class SupervisionSettings {
    public static final Duration DEFAULT_FIRST_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(60);
    public static final int DEFAULT_CRASH_LOOP_DEATHS = 5;
    public static final Duration DEFAULT_CRASH_LOOP_WINDOW = Duration.ofMinutes(5);

    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration stableAfter;
    private final int crashLoopDeaths;
    private final Duration crashLoopWindow;

    private SupervisionSettings(Builder builder) {
        this.firstBackoff = builder.firstBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.stableAfter = builder.stableAfter;
        this.crashLoopDeaths = builder.crashLoopDeaths;
        this.crashLoopWindow = builder.crashLoopWindow;
        if (maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff: " + maxBackoff + " (expected: >= firstBackoff "
                    + firstBackoff + ")");
        }
    }

    public static SupervisionSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration firstBackoff() {
        return firstBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public Duration stableAfter() {
        return stableAfter;
    }

    public int crashLoopDeaths() {
        return crashLoopDeaths;
    }

    public Duration crashLoopWindow() {
        return crashLoopWindow;
    }

    /** Builds {@link SupervisionSettings}; every setting starts at its {@code DEFAULT_}. */
    public static final class Builder {
        private Duration firstBackoff = DEFAULT_FIRST_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Duration stableAfter = DEFAULT_STABLE_AFTER;
        private int crashLoopDeaths = DEFAULT_CRASH_LOOP_DEATHS;
        private Duration crashLoopWindow = DEFAULT_CRASH_LOOP_WINDOW;

        private Builder() {
        }

        public Builder firstBackoff(Duration firstBackoff) {
            this.firstBackoff = positive("firstBackoff", firstBackoff);
            return this;
        }

        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = positive("maxBackoff", maxBackoff);
            return this;
        }

        public Builder stableAfter(Duration stableAfter) {
            this.stableAfter = positive("stableAfter", stableAfter);
            return this;
        }

        public Builder crashLoopDeaths(int crashLoopDeaths) {
            if (crashLoopDeaths < 1) {
                throw new IllegalArgumentException("crashLoopDeaths: " + crashLoopDeaths + " (expected: >= 1)");
            }
            this.crashLoopDeaths = crashLoopDeaths;
            return this;
        }

        public Builder crashLoopWindow(Duration crashLoopWindow) {
            this.crashLoopWindow = positive("crashLoopWindow", crashLoopWindow);
            return this;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        public SupervisionSettings build() {
            return new SupervisionSettings(this);
        }
    }
}
