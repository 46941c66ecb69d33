package io.duet.client;

import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.UserProfile;

/**
 * Callbacks of a {@link DuetClient} (or of a {@link DuetFeed}), all on one SDK thread, in order. Messages arrive exactly once per
 * client and in sequence order, both partners' (including this user's own, from any device).
 *
 * <p><b>Handle an event before returning.</b> The client's cursors ({@link DuetClient#lastSeq()}, {@link
 * DuetClient#lastChange()}), which the app persists to resume from, move past a message, a change or a
 * missing range only once {@link #onMessage}, {@link #onMessageChanged}, {@link #onMessagesMissing} or
 * {@link #onMessageChangesLost} returned for it: store it (durably, if the app resumes from stored cursors)
 * within the call, not later on another thread. A callback that throws stops the cursors before its event,
 * and the next subscribe (at the latest, the next reconnect) has the server give that event again, with
 * the later ones. So an event may come more than once: after a throw, or after the app stopped between
 * handling an event and persisting the cursors. Apply them idempotently: a message by its sequence number,
 * a change by its version ({@link Message#getVersion()}: keep the higher).
 */
public interface DuetListener {
    default void onMessage(Message message) {
    }

    /**
     * A message this client was given was edited or deleted by its sender (on any device, this one
     * included): {@code message} is its state now, a tombstone ({@link Message#isDeleted()}) when deleted.
     * Not called for a message that has not arrived yet: that one arrives in its current state. Changes
     * made while this client was disconnected come here too when it resumes, each once, before the messages
     * it missed (the server keeps the couple's newest changes; see {@link #onMessageChangesLost}).
     */
    default void onMessageChanged(Message message) {
    }

    /**
     * The server no longer keeps some changes made while this client was away (or this client resumed with a
     * change cursor the server cannot vouch for): messages it was given may have been edited or deleted
     * unseen. Fetch the history it shows again ({@link DuetClient#fetchHistory}); the changes still kept follow.
     */
    default void onMessageChangesLost() {
    }

    /**
     * A {@link DuetFeed} (following the couple over HTTP) may have missed events the server keeps in memory
     * only: it fell behind them, or the couple moved to another server. Read that state again (read state,
     * memos, calendar, couple profile, photos) and take the partner as not typing. Messages and their
     * changes are not lost this way: they follow as usual. A {@link DuetClient} never calls it.
     */
    default void onEventsLost() {
    }

    /**
     * The server lost the committed messages {@code fromSeq} to {@code toSeq} (an operator has been told):
     * they will never arrive, and delivery goes on after them. Called in sequence order.
     */
    default void onMessagesMissing(long fromSeq, long toSeq) {
    }

    /** The partner started or stopped typing (it stops by itself a few seconds after the last keystroke). */
    default void onPartnerTyping(boolean typing) {
    }

    /** The partner accepted this user's invite. The client refreshes its session by itself. */
    default void onPartnerJoined(long coupleId, UserProfile partner) {
    }

    /**
     * A memo was created, edited or deleted, by either partner from any device (this one included).
     *
     * @param memo the memo as it is now; null when it was deleted
     */
    default void onMemoChanged(long memoId, Memo memo, long changedBy) {
    }

    /**
     * A user of the couple read the messages up to {@code readUpTo}: the partner (show it as seen) or this
     * user on another device, or this one (clear the unread badge up to there).
     */
    default void onRead(long userId, long readUpTo) {
    }

    /** The start date, the time zone or an event of the couple's calendar changed: fetch it again. */
    default void onCalendarChanged(long changedBy) {
    }

    /** A user of the couple set (or, {@code nickname} null, cleared) what they call the partner. */
    default void onNicknameChanged(long changedBy, String nickname) {
    }

    /**
     * The couple was closed (unpaired, or a partner's account deleted) and its data deleted. The session
     * then ends with COUPLE_CLOSED ({@link #onSessionRejected}): refresh it with the refresh token (the new
     * one has no couple) and connect again.
     */
    default void onCoupleClosed(long coupleId, long closedBy, CoupleClosedReason reason) {
    }

    /** A photo of the couple was deleted, by either partner: drop it from lists and caches. */
    default void onPhotoDeleted(String photoId, long deletedBy) {
    }

    /** A new session token: store it, and use it next time. */
    default void onSessionRefreshed(Session session) {
    }

    default void onConnectionChanged(ConnectionState state, String detail) {
    }

    /**
     * The server refused the session for good: an expired, invalid or revoked token (log in again), or
     * COUPLE_CLOSED (the couple was closed: refresh the session with the refresh token, and connect again).
     */
    default void onSessionRejected(SessionErrorCode code, String message) {
    }
}
