package io.duet.presentation.limits;

import io.duet.net.AddressRanges;
import io.duet.settings.Settings;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Objects;

/**
 * How many client connections (TCP and HTTP together) a presentation server keeps: at most {@link
 * #maxConnections()} in all and {@link #maxPerAddress()} from one source address. The global cap
 * defaults to {@value #DEFAULT_FD_SHARE_PERCENT}% of the process's file descriptor limit less {@value
 * #DEFAULT_FD_RESERVE} (relay links, ZooKeeper, the admin port, logs and jars need descriptors too), so
 * the server reaches its cap before the kernel refuses it descriptors. Settings: {@code
 * limits.connections.max}, {@code limits.connections.per-address} and {@code limits.exempt-addresses};
 * the trusted proxies of {@code http.trusted-proxies} are exempt too (a load balancer carries many
 * clients' connections).
 */
public final class ConnectionLimits {
    public static final int DEFAULT_FD_SHARE_PERCENT = 80;
    public static final int DEFAULT_FD_RESERVE = 128;
    public static final int DEFAULT_MAX_PER_ADDRESS = 100;
    /** The global cap when the file descriptor limit cannot be read. */
    public static final int DEFAULT_MAX_CONNECTIONS_UNKNOWN_FD_LIMIT = 10_000;

    private final int maxConnections;
    private final int maxPerAddress;
    private final AddressRanges exemptAddresses;

    private ConnectionLimits(Builder builder) {
        this.maxConnections = positive("maxConnections", builder.maxConnections);
        this.maxPerAddress = positive("maxPerAddress", builder.maxPerAddress);
        this.exemptAddresses = Objects.requireNonNull(builder.exemptAddresses, "exemptAddresses");
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    /** The defaults for a process whose file descriptor limit is {@code fileLimit} (0 if unknown). */
    public static Builder builder(long fileLimit) {
        return new Builder(defaultMaxConnections(fileLimit));
    }

    /** The limits {@code settings} give, the defaults for this process for the rest. */
    public static ConnectionLimits from(Settings settings) {
        Builder defaults = builder(processFileLimit());
        return defaults
                .maxConnections(settings.integer("limits.connections.max", defaults.maxConnections))
                .maxPerAddress(settings.integer("limits.connections.per-address", defaults.maxPerAddress))
                .exemptAddresses(exempt(settings))
                .build();
    }

    /** The load balancers and proxies whose {@code X-Forwarded-For} the HTTP API believes. */
    public static AddressRanges trustedProxies(Settings settings) {
        return settings.addressRanges("http.trusted-proxies");
    }

    private static AddressRanges exempt(Settings settings) {
        return settings.addressRanges("limits.exempt-addresses").and(trustedProxies(settings));
    }

    static int defaultMaxConnections(long fileLimit) {
        if (fileLimit <= 0) {
            return DEFAULT_MAX_CONNECTIONS_UNKNOWN_FD_LIMIT;
        }
        long cap = fileLimit * DEFAULT_FD_SHARE_PERCENT / 100 - DEFAULT_FD_RESERVE;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, cap));
    }

    /** The process's limit of open files, or 0 if the platform does not tell. */
    public static long processFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
            return ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        }
        return 0;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxPerAddress() {
        return maxPerAddress;
    }

    /**
     * Source addresses held only to the global cap: load balancers and proxies (addresses and CIDR
     * ranges).
     */
    public AddressRanges exemptAddresses() {
        return exemptAddresses;
    }

    @Override
    public String toString() {
        return "at most " + maxConnections + " client connections, " + maxPerAddress + " per address"
                + (exemptAddresses.isEmpty() ? "" : " (except from " + exemptAddresses + ")");
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private int maxConnections;
        private int maxPerAddress = DEFAULT_MAX_PER_ADDRESS;
        private AddressRanges exemptAddresses = AddressRanges.none();

        private Builder(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxPerAddress(int maxPerAddress) {
            this.maxPerAddress = maxPerAddress;
            return this;
        }

        public Builder exemptAddresses(AddressRanges exemptAddresses) {
            this.exemptAddresses = Objects.requireNonNull(exemptAddresses, "exemptAddresses");
            return this;
        }

        public ConnectionLimits build() {
            return new ConnectionLimits(this);
        }
    }
}
