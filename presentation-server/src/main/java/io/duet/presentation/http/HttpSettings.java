package io.duet.presentation.http;

import io.duet.net.AddressRanges;
import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts of the client HTTP API, see {@link RequestDeadlineHandler} and {@link HttpApiHandler}; and
 * the proxies whose {@code X-Forwarded-For} is believed, see {@link ClientAddress}.
 */
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
    private final AddressRanges trustedProxies;

    private HttpSettings(Builder builder) {
        this.headerTimeout = positive("headerTimeout", builder.headerTimeout);
        this.bodyTimeout = positive("bodyTimeout", builder.bodyTimeout);
        this.replyTimeout = positive("replyTimeout", builder.replyTimeout);
        this.trustedProxies = Objects.requireNonNull(builder.trustedProxies, "trustedProxies");
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

    /**
     * Load balancers and proxies ({@code http.trusted-proxies}, addresses and CIDR ranges): a request
     * from one is from the client its {@code X-Forwarded-For} names. None by default.
     */
    public AddressRanges trustedProxies() {
        return trustedProxies;
    }

    public static final class Builder {
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration replyTimeout = DEFAULT_REPLY_TIMEOUT;
        private AddressRanges trustedProxies = AddressRanges.none();

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

        public Builder trustedProxies(AddressRanges value) {
            this.trustedProxies = value;
            return this;
        }

        public HttpSettings build() {
            return new HttpSettings(this);
        }
    }
}
