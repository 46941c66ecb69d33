package io.duet.process.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The event fan-out lag, the servers' own view of how long a stored message takes to reach its
 * partner's socket: {@value #NAME}, in Prometheus {@code duet_event_fanout_lag_seconds{stage}}, with
 * the shared {@link Latency} buckets, one timer per tier:
 *
 * <ul>
 *   <li>{@value #COMMITTED_TO_RELAY} (application servers): from the group commit that stored the
 *       message being acknowledged by HBase to its event being handed to each live session's relay
 *       stream, once per session sent it (a replay to a session catching up is not counted);
 *   <li>{@value #RELAY_TO_CLIENT} (presentation servers): from an event read off a relay link to its
 *       write to the client's socket completing, once per event written.
 * </ul>
 *
 * The relay hop between the two stages is in neither (it is in {@code duet_relay_call_seconds} for
 * calls), nor is the client's own reading.
 */
public final class FanOutLag {
    public static final String NAME = "duet.event.fanout.lag";
    public static final String COMMITTED_TO_RELAY = "committed-to-relay";
    public static final String RELAY_TO_CLIENT = "relay-to-client";

    private FanOutLag() {
    }

    /** The timer of {@code stage} ({@link #COMMITTED_TO_RELAY} or {@link #RELAY_TO_CLIENT}) in {@code registry}. */
    public static Timer timer(MeterRegistry registry, String stage) {
        return Latency.timer(NAME)
                .description("Event fan-out lag, by stage: from a message's commit to its event leaving for a session")
                .tag("stage", stage)
                .register(registry);
    }
}
