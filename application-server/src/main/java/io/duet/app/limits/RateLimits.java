package io.duet.app.limits;

import io.duet.net.AddressRanges;
import io.duet.settings.Settings;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The rates of every {@link Limit} and how many keys each limit tracks at most; {@link #builder()}
 * starts from the defaults, {@link #from(Settings)} reads {@code limits.<limit key>} (such as
 * {@code limits.log-in.per-address=30/1m}), {@code limits.max-tracked-keys} and {@code
 * limits.exempt-addresses}.
 */
public final class RateLimits {
    /** Keys (addresses, users, ...) tracked per limit; the least recently seen are forgotten beyond it. */
    public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

    private final Map<Limit, Rate> rates;
    private final int maxTrackedKeys;
    private final AddressRanges exemptAddresses;

    private RateLimits(Builder builder) {
        this.exemptAddresses = Objects.requireNonNull(builder.exemptAddresses, "exemptAddresses");
        this.rates = new EnumMap<>(builder.rates);
        if (builder.maxTrackedKeys < 1) {
            throw new IllegalArgumentException("maxTrackedKeys: " + builder.maxTrackedKeys + " (expected: >= 1)");
        }
        this.maxTrackedKeys = builder.maxTrackedKeys;
    }

    public static RateLimits defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The limits as {@code settings} set them, the defaults for the rest. */
    public static RateLimits from(Settings settings) {
        Builder builder = builder()
                .maxTrackedKeys(settings.integer("limits.max-tracked-keys", DEFAULT_MAX_TRACKED_KEYS))
                .exemptAddresses(settings.addressRanges("limits.exempt-addresses"));
        for (Limit limit : Limit.values()) {
            String key = "limits." + limit.key();
            if (settings.has(key)) {
                try {
                    builder.rate(limit, Rate.parse(settings.string(key)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
                }
            }
        }
        return builder.build();
    }

    public Rate rate(Limit limit) {
        return rates.get(limit);
    }

    public int maxTrackedKeys() {
        return maxTrackedKeys;
    }

    /**
     * Addresses and CIDR ranges per-address limits do not apply to: those of load balancers and proxies
     * that do not pass on their clients' addresses, whose calls would otherwise all share one bucket. An
     * IPv6 source is limited per /64 ({@link SourceAddress}), so it is exempt when its /64's first address
     * is. None by default.
     */
    public AddressRanges exemptAddresses() {
        return exemptAddresses;
    }

    @Override
    public String toString() {
        return "RateLimits" + rates + ", at most " + maxTrackedKeys + " keys each";
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private final Map<Limit, Rate> rates = new EnumMap<>(Limit.class);
        private int maxTrackedKeys = DEFAULT_MAX_TRACKED_KEYS;
        private AddressRanges exemptAddresses = AddressRanges.none();

        private Builder() {
            for (Limit limit : Limit.values()) {
                rates.put(limit, limit.defaultRate());
            }
        }

        public Builder rate(Limit limit, Rate rate) {
            rates.put(Objects.requireNonNull(limit, "limit"), Objects.requireNonNull(rate, "rate"));
            return this;
        }

        public Builder maxTrackedKeys(int maxTrackedKeys) {
            this.maxTrackedKeys = maxTrackedKeys;
            return this;
        }

        public Builder exemptAddresses(AddressRanges exemptAddresses) {
            this.exemptAddresses = Objects.requireNonNull(exemptAddresses, "exemptAddresses");
            return this;
        }

        public RateLimits build() {
            return new RateLimits(this);
        }
    }
}
