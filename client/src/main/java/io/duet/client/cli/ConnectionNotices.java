package io.duet.client.cli;

import io.duet.client.ConnectionState;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What the chat tells the user about its connection: one line when it is lost (with how many messages
 * wait), one when it is back (with how many go out now), and nothing for each failed attempt in between
 * but a reminder at most every {@link #REMINDER_INTERVAL}. Pure logic, with the clock passed in; called
 * on the SDK's callback thread, one call at a time; {@link #isDown} may be read from any thread.
 */
final class ConnectionNotices {
    /** While the connection stays down, the shortest time between two lines about it. */
    static final Duration REMINDER_INTERVAL = Duration.ofSeconds(30);

    private final LongSupplier clockMillis;
    private boolean connectedOnce;
    private volatile boolean down;
    private long lastLineMillis;

    ConnectionNotices(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    /** The line to print for this state change, if any; {@code waiting} is the count of pending sends. */
    Optional<String> stateChanged(ConnectionState state, String detail, int waiting) {
        long now = clockMillis.getAsLong();
        switch (state) {
            case CONNECTED: {
                boolean wasDown = down;
                boolean first = !connectedOnce;
                down = false;
                connectedOnce = true;
                if (!wasDown) {
                    return Optional.empty();
                }
                return Optional.of("(" + (first ? "connected" : "reconnected")
                        + (waiting > 0 ? "; sending " + messages(waiting) + " waiting" : "") + ")");
            }
            case DISCONNECTED:
                if (!down) {
                    down = true;
                    lastLineMillis = now;
                    return Optional.of("(" + (connectedOnce ? "connection lost" : "not connected") + ": " + detail
                            + "; reconnecting" + waiting(waiting) + ")");
                }
                if (now - lastLineMillis >= REMINDER_INTERVAL.toMillis()) {
                    lastLineMillis = now;
                    return Optional.of("(still reconnecting: " + detail + waiting(waiting) + ")");
                }
                return Optional.empty();
            default:
                // CONNECTING is part of an attempt; CLOSED is the chat's own doing, reported when it quits.
                return Optional.empty();
        }
    }

    /** Whether the connection was lost (or never made) and is not back yet. */
    boolean isDown() {
        return down;
    }

    /** "1 message", "3 messages". */
    static String messages(int count) {
        return count + (count == 1 ? " message" : " messages");
    }

    private static String waiting(int count) {
        return count > 0 ? "; " + messages(count) + " waiting" : "";
    }
}
