package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.it.chaos.ChatLoad.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the clients of a drained presentation server moved to another: each device's state log read from a
 * {@link #marks mark} on, the distributions of how long they were reconnecting and when they were connected
 * again, printed and bounded by what the local cluster's drain settings allow.
 */
final class ClientMoves {
    /** The local cluster's drain.window: the notices go out over it. */
    static final Duration DRAIN_WINDOW = Duration.ofSeconds(1);
    /**
     * The most a notice asks a client to spread its reconnect over (drain.max-reconnect-spread's default;
     * the window divided by the sessions present when that is less): the SDK's jitter before it leaves.
     */
    static final Duration MAX_JITTER = Duration.ofSeconds(1);
    /**
     * How long one client may show "reconnecting" (CONNECTING to CONNECTED): the SDK lets its calls in
     * flight finish, for 1 s at most; HAProxy waits 1 s (min(timeout connect, 1 s)) before it retries on the
     * other server a connection it sent to the drained one before its health checks saw it not ready; and
     * 0.5 s for the handshake and resubscribe on a busy 2-core box. Measured: max about 1.0 s.
     */
    static final Duration RECONNECT_BOUND = Duration.ofMillis(2500);
    /**
     * How long after the drain began every client of the drained server is connected again: its notice
     * comes within the window, it waits its jitter, then reconnects within {@link #RECONNECT_BOUND}.
     */
    static final Duration MOVED_BOUND = DRAIN_WINDOW.plus(MAX_JITTER).plus(RECONNECT_BOUND);

    private ClientMoves() {
    }

    /** Where each device's state log stands now. */
    static Map<Device, Integer> marks(ChatLoad load) {
        Map<Device, Integer> marks = new HashMap<>();
        load.devices().forEach(device -> marks.put(device, device.heard.stateLog.size()));
        return marks;
    }

    /**
     * Exactly {@code expected} devices moved since {@code mark} (CONNECTING "moving to another server", then
     * CONNECTED), none saw DISCONNECTED; prints the distributions of how long they were reconnecting and
     * when, after the drain began at {@code drainStartedNanos}, they were connected again, and bounds both.
     */
    static void checkMovedQuietly(ChatLoad load, Map<Device, Integer> mark, long expected, long drainStartedNanos,
            String how) {
        List<Long> reconnecting = new ArrayList<>();
        List<Long> movedBy = new ArrayList<>();
        List<Long> leftBy = new ArrayList<>();
        for (Device device : load.devices()) {
            List<String> log = device.heard.stateLog.subList(mark.get(device), device.heard.stateLog.size());
            assertThat(log).as("%s after %s", device.describe(), how).noneMatch(line -> line.startsWith("DISCONNECTED"));
            Long movedAt = null;
            for (String line : log) {
                if (movedAt == null && line.startsWith("CONNECTING") && line.contains("moving to another server")) {
                    movedAt = nanos(line);
                    leftBy.add((movedAt - drainStartedNanos) / 1_000_000);
                } else if (movedAt != null && line.startsWith("CONNECTED")) {
                    reconnecting.add((nanos(line) - movedAt) / 1_000_000);
                    movedBy.add((nanos(line) - drainStartedNanos) / 1_000_000);
                    break;
                }
            }
        }
        Collections.sort(reconnecting);
        Collections.sort(movedBy);
        Collections.sort(leftBy);
        assertThat(reconnecting).as("devices that moved after %s", how).hasSize((int) expected);
        System.out.printf("DRAIN %s: %d clients reconnecting (CONNECTING to CONNECTED) p50 %d, p90 %d, p99 %d, max %d ms"
                + " (bound %d): %s%n", how, reconnecting.size(), percentile(reconnecting, 0.5),
                percentile(reconnecting, 0.9), percentile(reconnecting, 0.99), reconnecting.get(reconnecting.size() - 1),
                RECONNECT_BOUND.toMillis(), reconnecting);
        System.out.printf("DRAIN %s: clients connected again after the drain began p50 %d, p99 %d, max %d ms"
                + " (bound %d = window %d + jitter %d + reconnect %d)%n", how, percentile(movedBy, 0.5),
                percentile(movedBy, 0.99), movedBy.get(movedBy.size() - 1), MOVED_BOUND.toMillis(),
                DRAIN_WINDOW.toMillis(), MAX_JITTER.toMillis(), RECONNECT_BOUND.toMillis());
        System.out.printf("DRAIN %s: clients left (notice + jitter) after the drain began first %d, p50 %d, last %d ms"
                + " (window %d)%n", how, leftBy.get(0), percentile(leftBy, 0.5), leftBy.get(leftBy.size() - 1),
                DRAIN_WINDOW.toMillis());
        if (leftBy.size() >= 4) {
            // Notice i of n goes out at i/n of the window, and its client leaves within 1/n of the window after
            // it: spread, the last leaves after 3/4 of it; all at once, every one within the first 1/n.
            assertThat(leftBy.get(leftBy.size() - 1)).as("the last client left after %s, ms: spread over the window", how)
                    .isGreaterThanOrEqualTo(DRAIN_WINDOW.toMillis() / 2);
            assertThat(leftBy.get(leftBy.size() - 1) - leftBy.get(0)).as("first to last client leaving after %s, ms", how)
                    .isGreaterThanOrEqualTo(DRAIN_WINDOW.toMillis() / 4);
        }
        assertThat(reconnecting.get(reconnecting.size() - 1)).as("the longest reconnect after %s, ms (p99 %d)", how,
                percentile(reconnecting, 0.99)).isLessThan(RECONNECT_BOUND.toMillis());
        assertThat(movedBy.get(movedBy.size() - 1)).as("the last client connected again after %s, ms", how)
                .isLessThan(MOVED_BOUND.toMillis());
    }

    private static long nanos(String stateLogLine) {
        return Long.parseLong(stateLogLine.substring(stateLogLine.indexOf(" at ") + 4, stateLogLine.indexOf(':')));
    }

    private static long percentile(List<Long> sorted, double fraction) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * fraction) - 1));
    }
}
