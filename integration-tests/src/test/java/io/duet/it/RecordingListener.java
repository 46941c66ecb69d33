package io.duet.it;

import io.duet.client.ConnectionState;
import io.duet.client.DuetListener;
import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Records everything a client's listener hears, and waits for it. */
public final class RecordingListener implements DuetListener {
    public final List<Message> messages = new CopyOnWriteArrayList<>();
    public final List<Boolean> partnerTyping = new CopyOnWriteArrayList<>();
    public final List<ConnectionState> states = new CopyOnWriteArrayList<>();
    /** Each state change as "state at System.nanoTime(): detail", for post-mortems. */
    public final List<String> stateLog = new CopyOnWriteArrayList<>();
    public final List<SessionErrorCode> rejections = new CopyOnWriteArrayList<>();
    public final List<Session> refreshed = new CopyOnWriteArrayList<>();
    /** Messages edited or deleted, in their new state, as heard. */
    public final List<Message> changes = new CopyOnWriteArrayList<>();
    /** Ranges the server reported lost, as "from..to". */
    public final List<String> missing = new CopyOnWriteArrayList<>();
    /** Memo changes, as "memoId vVERSION by USER" or "memoId deleted by USER". */
    public final List<String> memoChanges = new CopyOnWriteArrayList<>();
    /** Read marks heard, as "USER@SEQ". */
    public final List<String> reads = new CopyOnWriteArrayList<>();
    /** Who changed the calendar, once per change. */
    public final List<Long> calendarChanges = new CopyOnWriteArrayList<>();
    /** Nickname changes, as "USER: NICKNAME" (null when cleared). */
    public final List<String> nicknameChanges = new CopyOnWriteArrayList<>();
    /** Couples closed, as "COUPLE by USER: REASON". */
    public final List<String> couplesClosed = new CopyOnWriteArrayList<>();
    /** Photos deleted, as "PHOTO by USER". */
    public final List<String> photosDeleted = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Message message) {
        messages.add(message);
    }

    @Override
    public void onMessageChanged(Message message) {
        changes.add(message);
    }

    @Override
    public void onMessagesMissing(long fromSeq, long toSeq) {
        missing.add(fromSeq + ".." + toSeq);
    }

    @Override
    public void onMemoChanged(long memoId, Memo memo, long changedBy) {
        memoChanges.add(memoId + (memo == null ? " deleted" : " v" + memo.getVersion()) + " by " + changedBy);
    }

    @Override
    public void onRead(long userId, long readUpTo) {
        reads.add(userId + "@" + readUpTo);
    }

    @Override
    public void onCalendarChanged(long changedBy) {
        calendarChanges.add(changedBy);
    }

    @Override
    public void onNicknameChanged(long changedBy, String nickname) {
        nicknameChanges.add(changedBy + ": " + nickname);
    }

    @Override
    public void onCoupleClosed(long coupleId, long closedBy, CoupleClosedReason reason) {
        couplesClosed.add(coupleId + " by " + closedBy + ": " + reason);
    }

    @Override
    public void onPhotoDeleted(String photoId, long deletedBy) {
        photosDeleted.add(photoId + " by " + deletedBy);
    }

    @Override
    public void onPartnerTyping(boolean typing) {
        partnerTyping.add(typing);
    }

    @Override
    public void onConnectionChanged(ConnectionState state, String detail) {
        states.add(state);
        stateLog.add(state + " at " + System.nanoTime() + ": " + detail);
    }

    @Override
    public void onSessionRefreshed(Session session) {
        refreshed.add(session);
    }

    @Override
    public void onSessionRejected(SessionErrorCode code, String message) {
        rejections.add(code);
    }

    public List<Message> snapshot() {
        return new ArrayList<>(messages);
    }

    /** Waits until {@code condition} holds, failing after {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    public void awaitMessages(int count, Duration timeout) throws InterruptedException {
        await(timeout, count + " messages (have " + messages.size() + ")", () -> messages.size() >= count);
    }
}
