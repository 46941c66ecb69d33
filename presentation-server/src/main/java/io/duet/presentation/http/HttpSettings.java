package io.duet.presentation.http;

import java.time.Duration;
import java.util.Objects;

/** Timeouts of the client HTTP API; see {@link RequestDeadlineHandler} and {@link HttpApiHandler}. */
public final class HttpSettings {
    /** Time to receive a request's head, from the connection's accept or from the previous response. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(30);
    /** Time to receive a request's body, from its head. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** Time for the application server to answer a request, from its last byte. */
    public static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(30);

    private final Duration headerTimeout;
    private final Duration bodyTimeout;
    private final Duration replyTimeout;

    private HttpSettings(Builder builder) {
        this.headerTimeout = positive("headerTimeout", builder.headerTimeout);
        this.bodyTimeout = positive("bodyTimeout", builder.bodyTimeout);
        this.replyTimeout = positive("replyTimeout", builder.replyTimeout);
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static HttpSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Duration headerTimeout() {
        return headerTimeout;
    }

    public Duration bodyTimeout() {
        return bodyTimeout;
    }

    public Duration replyTimeout() {
        return replyTimeout;
    }

    public static final class Builder {
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;

        private Builder() {
        }

        public Builder headerTimeout(Duration value) {
            this.headerTimeout = value;
            return this;
        }

        public Builder bodyTimeout(Duration value) {
            this.bodyTimeout = value;
            return this;
        }

        public Builder replyTimeout(Duration value) {
            this.replyTimeout = value;
            return this;
        }

        public HttpSettings build() {
            return new HttpSettings(this);
        }
    }
}
