package io.duet.presentation.session;

/**
 * A user event from {@link ClientSilence}: nothing has been read from the client for {@code silentMillis},
 * longer than its ping interval and a grace, so the connection may be half-open (a phone that lost its
 * network without closing); or, as {@link #HEARD}, the client that was quiet was heard from again.
 */
final class ClientQuiet {
    /** The quiet client was heard from again. */
    static final ClientQuiet HEARD = new ClientQuiet(0);

    /** How long the client had been silent; 0 for {@link #HEARD}. */
    final long silentMillis;

    ClientQuiet(long silentMillis) {
        this.silentMillis = silentMillis;
    }

    @Override
    public String toString() {
        return this == HEARD ? "ClientQuiet.HEARD" : "ClientQuiet(" + silentMillis + " ms)";
    }
}
