package io.duet.presentation.session;

import java.time.Duration;

/**
 * When each client of a draining server is asked to reconnect elsewhere ({@link SessionRegistry#drain}),
 * and over how long its notice tells it to spread its own reconnect.
 */
public interface ReconnectSchedule {
    /** How long after the drain began session {@code index} (0-based) of the {@code count} present is asked. */
    Duration delay(int index, int count);

    /** The reconnect spread the notices hint at, when {@code count} sessions were present. */
    Duration reconnectWithin(int count);
}
