package io.duet.presentation.weight;

import java.time.Duration;

/**
 * The pure arithmetic of a server's weight: how much room it has for new connections, as a percentage of
 * its configured weight, from its sessions (against its capacity) and its smoothed CPU load, and the line
 * that says so to HAProxy's agent check.
 *
 * <p>Room is the smaller of the two headrooms, {@code 1 - sessions / capacity} and {@code 1 - cpu}, so
 * that whichever runs out first governs; the weight is that room in percent, but never below the floor,
 * so that a busy server still gets some new connections (and a weight that can be seen to recover). A
 * draining server publishes {@code drain}: no new connections, whatever its room.
 */
public final class Weights {
    /** What HAProxy reads: the administrative state, then the weight relative to the configured one. */
    static final String READY_FORMAT = "ready %d%%\n";
    static final String DRAIN = "drain\n";

    private Weights() {
    }

    /**
     * The weight in percent, {@code floorPercent..100}.
     *
     * @param sessions client sessions now
     * @param cpuLoad the process's CPU load, 0 (idle) to 1 (every core busy); a negative value (not known) counts as 0
     */
    public static int percent(int sessions, double cpuLoad, int capacity, int floorPercent) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        double sessionRoom = 1.0 - (double) Math.max(0, sessions) / capacity;
        double cpuRoom = 1.0 - (Double.isNaN(cpuLoad) ? 0 : Math.max(0, Math.min(1, cpuLoad)));
        double room = Math.max(0, Math.min(sessionRoom, cpuRoom));
        return Math.max(floorPercent, Math.min(100, (int) Math.round(room * 100)));
    }

    /** The weight of {@link #percent} with the settings' capacity and floor. */
    public static int percent(int sessions, double cpuLoad, WeightSettings settings) {
        return percent(sessions, cpuLoad, settings.capacity, settings.floorPercent);
    }

    /**
     * The agent's reply: {@code "drain\n"} while draining, else {@code "ready N%\n"}. {@code ready} is said
     * every time so that a server back from a drain (a restart under the same name) is taken out of
     * HAProxy's drain state, which the word {@code drain} set and only {@code ready} clears.
     */
    public static String agentReply(boolean draining, int percent) {
        return draining ? DRAIN : String.format(READY_FORMAT, percent);
    }

    /**
     * One step of an exponentially weighted moving average with time constant {@code window}: a sample
     * {@code interval} after the last moves the average by {@code 1 - exp(-interval / window)} of the way.
     * A negative sample (the platform could not tell) leaves the average as it was; a negative
     * {@code previous} (none yet) takes the sample as it is.
     */
    public static double smooth(double previous, double sample, Duration interval, Duration window) {
        if (sample < 0 || Double.isNaN(sample)) {
            return previous;
        }
        if (previous < 0) {
            return sample;
        }
        double alpha = 1 - Math.exp(-(double) interval.toNanos() / window.toNanos());
        return previous + alpha * (sample - previous);
    }
}
