package io.duet.presentation.weight;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How a presentation server weighs its room for new connections, and where it tells the load balancer:
 * {@value #CAPACITY_KEY} (the sessions it is sized for), {@value #FLOOR_KEY} (the least weight it
 * publishes while not draining), {@value #CPU_WINDOW_KEY} (how long CPU load is smoothed over), and the
 * agent-check listener's {@value #AGENT_ENABLED_KEY}, {@value #AGENT_HOST_KEY} and {@value #AGENT_PORT_KEY}.
 * {@link #builder()} starts from the defaults, {@link #from(Settings)} reads the keys.
 */
public final class WeightSettings {
    public static final String CAPACITY_KEY = "weight.capacity";
    public static final String FLOOR_KEY = "weight.floor-percent";
    public static final String CPU_WINDOW_KEY = "weight.cpu-window";
    public static final String AGENT_ENABLED_KEY = "agent.enabled";
    public static final String AGENT_HOST_KEY = "agent.host";
    public static final String AGENT_PORT_KEY = "agent.port";

    /** Sessions at which the connection count alone brings the weight to the floor; sized for the default heap. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** A full or busy server still gets a tenth of its share, so that its weight can be seen to recover. */
    public static final int DEFAULT_FLOOR_PERCENT = 10;
    /** Long enough that a garbage collection or a burst of reconnects does not swing the weight. */
    public static final Duration DEFAULT_CPU_WINDOW = Duration.ofSeconds(10);
    /** Only this machine by default, like the admin port: the load balancer's agent check runs beside it locally. */
    public static final String DEFAULT_AGENT_HOST = "127.0.0.1";
    /** 0 takes any free port; the ready file then says which ({@value #AGENT_PORT_KEY}). */
    public static final int DEFAULT_AGENT_PORT = 0;

    final int capacity;
    final int floorPercent;
    final Duration cpuWindow;
    final boolean agentEnabled;
    final String agentHost;
    final int agentPort;

    private WeightSettings(Builder builder) {
        if (builder.capacity < 1) {
            throw new IllegalArgumentException("capacity: " + builder.capacity + " (expected: > 0)");
        }
        if (builder.floorPercent < 1 || builder.floorPercent > 100) {
            throw new IllegalArgumentException("floorPercent: " + builder.floorPercent + " (expected: 1..100)");
        }
        this.cpuWindow = Objects.requireNonNull(builder.cpuWindow, "cpuWindow");
        if (cpuWindow.toMillis() < 1) {
            throw new IllegalArgumentException("cpuWindow: " + cpuWindow + " (expected: >= 1ms)");
        }
        this.agentHost = Objects.requireNonNull(builder.agentHost, "agentHost");
        if (agentHost.isBlank()) {
            throw new IllegalArgumentException("agentHost: \"" + agentHost + "\" (expected: an address or a host name)");
        }
        if (builder.agentPort < 0 || builder.agentPort > 65535) {
            throw new IllegalArgumentException("agentPort: " + builder.agentPort + " (expected: 0..65535)");
        }
        this.capacity = builder.capacity;
        this.floorPercent = builder.floorPercent;
        this.agentEnabled = builder.agentEnabled;
        this.agentPort = builder.agentPort;
    }

    /** The keys above, else the defaults; the agent listens on {@code admin.host} unless {@value #AGENT_HOST_KEY} is set. */
    public static WeightSettings from(Settings settings) {
        return builder()
                .capacity(settings.integer(CAPACITY_KEY, DEFAULT_CAPACITY))
                .floorPercent(settings.integer(FLOOR_KEY, DEFAULT_FLOOR_PERCENT))
                .cpuWindow(settings.duration(CPU_WINDOW_KEY, DEFAULT_CPU_WINDOW))
                .agentEnabled(settings.bool(AGENT_ENABLED_KEY, true))
                .agentHost(settings.string(AGENT_HOST_KEY, settings.string("admin.host", DEFAULT_AGENT_HOST)))
                .agentPort(settings.integer(AGENT_PORT_KEY, DEFAULT_AGENT_PORT))
                .build();
    }

    public static WeightSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int capacity() {
        return capacity;
    }

    public int floorPercent() {
        return floorPercent;
    }

    public Duration cpuWindow() {
        return cpuWindow;
    }

    public boolean agentEnabled() {
        return agentEnabled;
    }

    public String agentHost() {
        return agentHost;
    }

    public int agentPort() {
        return agentPort;
    }

    @Override
    public String toString() {
        return "WeightSettings{capacity=" + capacity + ", floor=" + floorPercent + "%, cpuWindow=" + cpuWindow
                + ", agent=" + (agentEnabled ? agentHost + ':' + agentPort : "off") + '}';
    }

    /** Mutable; {@link #build()} checks the values and makes the immutable settings. */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private int floorPercent = DEFAULT_FLOOR_PERCENT;
        private Duration cpuWindow = DEFAULT_CPU_WINDOW;
        private boolean agentEnabled = true;
        private String agentHost = DEFAULT_AGENT_HOST;
        private int agentPort = DEFAULT_AGENT_PORT;

        private Builder() {
        }

        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        public Builder floorPercent(int floorPercent) {
            this.floorPercent = floorPercent;
            return this;
        }

        public Builder cpuWindow(Duration cpuWindow) {
            this.cpuWindow = cpuWindow;
            return this;
        }

        public Builder agentEnabled(boolean agentEnabled) {
            this.agentEnabled = agentEnabled;
            return this;
        }

        public Builder agentHost(String agentHost) {
            this.agentHost = agentHost;
            return this;
        }

        public Builder agentPort(int agentPort) {
            this.agentPort = agentPort;
            return this;
        }

        public WeightSettings build() {
            return new WeightSettings(this);
        }
    }
}
