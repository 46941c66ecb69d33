package io.duet.client;

/** Where a {@link DuetClient}'s session stands. */
public enum ConnectionState {
    /** Opening the connection, authenticating, or resubscribing. */
    CONNECTING,
    /** Authenticated and subscribed: events flow and sends go out. */
    CONNECTED,
    /** Lost; a reconnect is scheduled. Sends wait and are retried. */
    DISCONNECTED,
    /** Closed by the application, or the server refused the session (see the listener). */
    CLOSED
}
