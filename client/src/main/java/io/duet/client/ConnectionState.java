package io.duet.client;

/** Where a {@link DuetClient}'s session stands. */
public enum ConnectionState {
    /**
     * Opening the connection, authenticating, or resubscribing; also while moving off a server that is
     * draining (it asked the client to reconnect), which is no loss: sends wait and go out right after.
     */
    CONNECTING,
    /** Authenticated and subscribed: events flow and sends go out. */
    CONNECTED,
    /** Lost; a reconnect is scheduled. Sends wait and are retried. */
    DISCONNECTED,
    /** Closed by the application, or the server refused the session (see the listener). */
    CLOSED
}
