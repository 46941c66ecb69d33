package io.duet.app.couple;

/**
 * A client's TCP session as the couple sees it: somewhere to push events. Implemented by the relay
 * layer over a multiplexed stream; thread-safe.
 *
 * <p><b>Flow control.</b> A replay of stored messages asks {@link #canReplay()} before each event and,
 * when it may not, waits with {@link #whenReplayable}: so it goes only as fast as the client drains
 * its connection. Live events never ask; they are pushed at once and still count against the client's
 * backlog (see {@code StreamCredit} in relay.thrift).
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

    /**
     * Ends the stream because the couple was closed (unpaired, or an account deleted): the client's session
     * ends with COUPLE_CLOSED. By default, as {@link #moved}: routed again, it finds the couple closed.
     */
    default void coupleClosed(String detail) {
        moved(detail);
    }

    boolean isOpen();

    /**
     * Whether the presentation server has heard nothing from the client for longer than its ping interval
     * and a grace ({@code clientSilentMillis} in relay.thrift): the connection may be half-open, so the
     * session does not count as a connected device when the couple decides whether to push.
     */
    default boolean isClientQuiet() {
        return false;
    }

    /**
     * Keeps {@code orderStream} as the one this session's later sends may leave out (see {@code
     * SendMessageRequest.orderStream}), replacing the one kept before.
     *
     * @return false when this session keeps none (the default): its sends must name their stream
     */
    default boolean keepOrderStream(String orderStream) {
        return false;
    }

    /** The order stream {@link #keepOrderStream} kept; null when none was. */
    default String keptOrderStream() {
        return null;
    }

    /** Whether a replay may push another event now: the client has taken enough of what it was sent. */
    boolean canReplay();

    /**
     * Runs {@code task} once, on any thread, as soon as {@link #canReplay()} holds, replacing a task
     * registered before. Never runs if the stream ends first (then the couple hears of it by {@code
     * detach}).
     */
    void whenReplayable(Runnable task);
}
