package io.duet.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How long {@link DuetHttp}'s calls may take to connect and to wait for their answers; {@link #DEFAULTS}, or
 * {@link #builder()}. A call that runs out fails with an {@link HttpTimeoutException}.
 */
public final class HttpTimeouts {
    /** How long a call may take to connect, its TLS handshake included. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * How long a call may wait for each read of its answer: longer than the wait of {@link DuetFeed}'s long
     * polls ({@link DuetFeed#WAIT_MILLIS}) and the server's cap on a {@code subscribe} poll (25 s by default).
     */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Both defaults. */
    public static final HttpTimeouts DEFAULTS = builder().build();

    private final Duration connectTimeout;
    private final Duration readTimeout;

    private HttpTimeouts(Builder builder) {
        this.connectTimeout = builder.connectTimeout;
        this.readTimeout = builder.readTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    int connectTimeoutMillis() {
        return (int) connectTimeout.toMillis();
    }

    int readTimeoutMillis() {
        return (int) readTimeout.toMillis();
    }

    @Override
    public String toString() {
        return "HttpTimeouts[connect " + connectTimeout.toMillis() + " ms, read " + readTimeout.toMillis() + " ms]";
    }

    /** Makes {@link HttpTimeouts}; each timeout is its default unless set. */
    public static final class Builder {
        /** Sockets take their timeouts in whole milliseconds, as an int. */
        private static final Duration MAX = Duration.ofMillis(Integer.MAX_VALUE);

        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;

        private Builder() {
        }

        /** How long a call may take to connect, its TLS handshake included; from 1 ms to about 24 days. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checked("connectTimeout", timeout);
            return this;
        }

        /**
         * How long a call may wait for each read of its answer (not for the whole answer); from 1 ms to about
         * 24 days. Shorter than a long poll's wait, a poll with nothing to give fails instead of answering empty.
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = checked("readTimeout", timeout);
            return this;
        }

        public HttpTimeouts build() {
            return new HttpTimeouts(this);
        }

        private static Duration checked(String name, Duration timeout) {
            Objects.requireNonNull(timeout, name);
            if (timeout.toMillis() < 1 || timeout.compareTo(MAX) > 0) {
                throw new IllegalArgumentException(name + ": " + timeout + " (expected: 1 ms to " + MAX + ")");
            }
            return timeout;
        }
    }
}
