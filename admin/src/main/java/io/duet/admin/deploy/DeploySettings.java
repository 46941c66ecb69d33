package io.duet.admin.deploy;

import java.time.Duration;
import java.util.Objects;

/**
 * How a rolling deploy restarts servers and how long it waits at each step. Immutable; build it with
 * {@link #builder()}, every value has a named default.
 */
public final class DeploySettings {
    /** A presentation server's drain: longer than the servers' {@code drain.deadline} (30 s by default). */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(90);
    /** An application server's old instance handing its shards over and leaving the shard map. */
    public static final Duration DEFAULT_LEAVE_TIMEOUT = Duration.ofSeconds(60);
    /** A restarted server answering {@code GET /ready} with 200. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);
    /** The shard map owning every shard again, by every application server. */
    public static final Duration DEFAULT_SETTLE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The wait after each server is ready, so that the load balancer's health checks take it back into
     * rotation before the next one leaves (HAProxy's in the local cluster: 2 checks 500 ms apart).
     */
    public static final Duration DEFAULT_PAUSE = Duration.ofSeconds(3);
    /** The restart command's run. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(180);
    /** Each request to an admin port. */
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(3);
    /**
     * The servers' default {@code cluster.failure-timeout}: an application server whose heartbeat lags the
     * newest by more than this is taken for dead. Give the cluster's value if it sets another.
     */
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(1);
    /** How often a wait looks again. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(200);
    /** Restarts a local cluster's node: its supervisor starts a node again that exited unasked. */
    public static final String LOCAL_RESTART_COMMAND = "kill -TERM {pid}";

    private final String restartCommand;
    private final Duration drainTimeout;
    private final Duration leaveTimeout;
    private final Duration readyTimeout;
    private final Duration settleTimeout;
    private final Duration pause;
    private final Duration commandTimeout;
    private final Duration httpTimeout;
    private final Duration pollInterval;
    private final Duration failureTimeout;

    private DeploySettings(Builder builder) {
        this.restartCommand = Objects.requireNonNull(builder.restartCommand, "restartCommand");
        this.drainTimeout = builder.drainTimeout;
        this.leaveTimeout = builder.leaveTimeout;
        this.readyTimeout = builder.readyTimeout;
        this.settleTimeout = builder.settleTimeout;
        this.pause = builder.pause;
        this.commandTimeout = builder.commandTimeout;
        this.httpTimeout = builder.httpTimeout;
        this.pollInterval = builder.pollInterval;
        this.failureTimeout = builder.failureTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The command that restarts one server, with placeholders ({@link RestartCommand}). */
    public String restartCommand() {
        return restartCommand;
    }

    public Duration drainTimeout() {
        return drainTimeout;
    }

    public Duration leaveTimeout() {
        return leaveTimeout;
    }

    public Duration readyTimeout() {
        return readyTimeout;
    }

    public Duration settleTimeout() {
        return settleTimeout;
    }

    public Duration pause() {
        return pause;
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    public Duration httpTimeout() {
        return httpTimeout;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    /** The cluster's {@code cluster.failure-timeout}: a heartbeat lagging more than this means a dead server. */
    public Duration failureTimeout() {
        return failureTimeout;
    }

    /** Builds {@link DeploySettings}. */
    public static final class Builder {
        private String restartCommand = LOCAL_RESTART_COMMAND;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private Duration leaveTimeout = DEFAULT_LEAVE_TIMEOUT;
        private Duration readyTimeout = DEFAULT_READY_TIMEOUT;
        private Duration settleTimeout = DEFAULT_SETTLE_TIMEOUT;
        private Duration pause = DEFAULT_PAUSE;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration failureTimeout = DEFAULT_FAILURE_TIMEOUT;

        private Builder() {
        }

        /** The restart command template; {@link #LOCAL_RESTART_COMMAND} (the local cluster's) by default. */
        public Builder restartCommand(String template) {
            this.restartCommand = RestartCommand.check(template);
            return this;
        }

        public Builder drainTimeout(Duration value) {
            this.drainTimeout = positive("drainTimeout", value);
            return this;
        }

        public Builder leaveTimeout(Duration value) {
            this.leaveTimeout = positive("leaveTimeout", value);
            return this;
        }

        public Builder readyTimeout(Duration value) {
            this.readyTimeout = positive("readyTimeout", value);
            return this;
        }

        public Builder settleTimeout(Duration value) {
            this.settleTimeout = positive("settleTimeout", value);
            return this;
        }

        /** May be zero. */
        public Builder pause(Duration value) {
            if (value == null || value.isNegative()) {
                throw new IllegalArgumentException("pause: " + value + " (expected: >= 0)");
            }
            this.pause = value;
            return this;
        }

        public Builder commandTimeout(Duration value) {
            this.commandTimeout = positive("commandTimeout", value);
            return this;
        }

        public Builder httpTimeout(Duration value) {
            this.httpTimeout = positive("httpTimeout", value);
            return this;
        }

        public Builder failureTimeout(Duration value) {
            this.failureTimeout = positive("failureTimeout", value);
            return this;
        }

        public Builder pollInterval(Duration value) {
            this.pollInterval = positive("pollInterval", value);
            return this;
        }

        private static Duration positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
            }
            return value;
        }

        public DeploySettings build() {
            return new DeploySettings(this);
        }
    }
}
