package io.duet.presentation.session;

import io.duet.protocol.relay.Revocation;
import java.time.Duration;

/**
 * What {@link SessionRegistry} asks of an authenticated session ({@link SessionRelayHandler}); every
 * method may be called from any thread and hands its work to the session's event loop.
 */
interface RegisteredSession {
    /**
     * After {@code after}, asks the client to reconnect elsewhere spreading its reconnect over {@code
     * within} (once only, however often asked); closes the session with SHUTTING_DOWN if it is still
     * open {@code closeAfter} from now.
     */
    void drain(Duration after, Duration within, Duration closeAfter);

    /** An event addressed to this session's user. */
    void pushEvent(byte[] event);

    /** Ends the session if {@code revocation} covers its token. */
    void revokeIf(Revocation revocation);

    /** The shard map changed: move the stream if the couple has another owner now. */
    void routesChanged();
}
