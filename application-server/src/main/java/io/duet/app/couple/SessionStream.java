package io.duet.app.couple;

/**
 * A client's TCP session as the couple sees it: somewhere to push events. Implemented by the relay
 * layer over a multiplexed stream; thread-safe.
 */
public interface SessionStream {
    long userId();

    String deviceId();

    /** Pushes an encoded {@code api.Event} (compact protocol). Dropped silently once closed. */
    void pushEvent(byte[] event);

    /**
     * Ends the stream because this server no longer serves the couple; the presentation server routes
     * the session again and tells the client to resubscribe.
     */
    void moved(String detail);

    boolean isOpen();
}
