package io.duet.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What one load run does: how many couples chat, how fast (open loop: sends are scheduled at the
 * rate whether or not earlier ones were answered, and latency counts from the scheduled time), for how
 * long, and where the cluster is. Built with {@link #builder()}; every setting has a named default.
 */
public final class LoadSettings {
    public static final int DEFAULT_COUPLES = 20;
    public static final double DEFAULT_RATE = 200;
    public static final int DEFAULT_MEAN_TEXT_LENGTH = 40;
    public static final double DEFAULT_TYPING_RATE = 0.2;
    public static final int DEFAULT_IDLE_CONNECTIONS = 0;
    public static final Duration DEFAULT_WARM_UP = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    /** Sends scheduled but not yet answered, over the whole run, beyond which the generator stops scheduling. */
    public static final int DEFAULT_MAX_OUTSTANDING = 100_000;

    final InetSocketAddress tcp;
    final URI http;
    final int couples;
    final double rate;
    final int meanTextLength;
    final double typingRate;
    final int idleConnections;
    final Duration warmUp;
    final Duration duration;
    final int maxOutstanding;
    final int inFlight;
    final Path clusterDir;
    final Path output;
    final boolean quiet;

    private LoadSettings(Builder builder) {
        this.tcp = Objects.requireNonNull(builder.tcp, "tcp endpoint");
        this.http = Objects.requireNonNull(builder.http, "http endpoint");
        this.couples = positive("couples", builder.couples);
        if (!(builder.rate > 0)) {
            throw new IllegalArgumentException("rate: " + builder.rate + " (expected: > 0 sends/s)");
        }
        this.rate = builder.rate;
        this.meanTextLength = positive("meanTextLength", builder.meanTextLength);
        if (builder.typingRate < 0) {
            throw new IllegalArgumentException("typingRate: " + builder.typingRate + " (expected: >= 0)");
        }
        this.typingRate = builder.typingRate;
        if (builder.idleConnections < 0) {
            throw new IllegalArgumentException("idleConnections: " + builder.idleConnections + " (expected: >= 0)");
        }
        this.idleConnections = builder.idleConnections;
        this.warmUp = builder.warmUp;
        this.duration = builder.duration;
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + " (expected: > 0)");
        }
        this.maxOutstanding = positive("maxOutstanding", builder.maxOutstanding);
        if (builder.inFlight < 0) {
            throw new IllegalArgumentException("inFlight: " + builder.inFlight + " (expected: >= 0)");
        }
        this.inFlight = builder.inFlight;
        this.clusterDir = builder.clusterDir;
        this.output = builder.output;
        this.quiet = builder.quiet;
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private InetSocketAddress tcp;
        private URI http;
        private int couples = DEFAULT_COUPLES;
        private double rate = DEFAULT_RATE;
        private int meanTextLength = DEFAULT_MEAN_TEXT_LENGTH;
        private double typingRate = DEFAULT_TYPING_RATE;
        private int idleConnections = DEFAULT_IDLE_CONNECTIONS;
        private Duration warmUp = DEFAULT_WARM_UP;
        private Duration duration = DEFAULT_DURATION;
        private int maxOutstanding = DEFAULT_MAX_OUTSTANDING;
        private int inFlight;
        private Path clusterDir;
        private Path output;
        private boolean quiet;

        private Builder() {
        }

        /** The client TCP endpoint (the load balancer, or one presentation server). */
        public Builder tcp(InetSocketAddress tcp) {
            this.tcp = tcp;
            return this;
        }

        /** The HTTP API, for signing up and pairing the simulated couples. */
        public Builder http(URI http) {
            this.http = http;
            return this;
        }

        public Builder couples(int couples) {
            this.couples = couples;
            return this;
        }

        /** Sends per second over all couples. */
        public Builder rate(double rate) {
            this.rate = rate;
            return this;
        }

        public Builder meanTextLength(int meanTextLength) {
            this.meanTextLength = meanTextLength;
            return this;
        }

        /** Typing notifications per second, per couple. */
        public Builder typingRate(double typingRate) {
            this.typingRate = typingRate;
            return this;
        }

        /** Authenticated sessions that only keep their connection open. */
        public Builder idleConnections(int idleConnections) {
            this.idleConnections = idleConnections;
            return this;
        }

        public Builder warmUp(Duration warmUp) {
            this.warmUp = warmUp;
            return this;
        }

        public Builder duration(Duration duration) {
            this.duration = duration;
            return this;
        }

        public Builder maxOutstanding(int maxOutstanding) {
            this.maxOutstanding = maxOutstanding;
            return this;
        }

        /**
         * Closed loop instead: every phone keeps this many sends unanswered, sending the next as soon as one
         * is answered, and {@link #rate} is ignored. For the most a cluster can take (throughput), not for
         * latency. 0 (the default) is open loop.
         */
        public Builder inFlight(int inFlight) {
            this.inFlight = inFlight;
            return this;
        }

        /**
         * A local cluster's data directory: its processes' CPU is read from /proc, to report server CPU per
         * message. Without it (a remote cluster) that figure is left out.
         */
        public Builder clusterDir(Path clusterDir) {
            this.clusterDir = clusterDir;
            return this;
        }

        /** Where to write {@code <output>.json} and {@code <output>.html}; none when null. */
        public Builder output(Path output) {
            this.output = output;
            return this;
        }

        /** No live progress lines. */
        public Builder quiet(boolean quiet) {
            this.quiet = quiet;
            return this;
        }

        public LoadSettings build() {
            return new LoadSettings(this);
        }
    }
}
