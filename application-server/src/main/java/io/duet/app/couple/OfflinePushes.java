package io.duet.app.couple;

import io.duet.protocol.api.Message;
import java.time.Clock;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * When a couple's messages go to {@link OfflineNotifier} (to be pushed): at each commit, for a partner with
 * no live session; and when a partner's last live session goes quiet (its client was not heard from for a
 * while: a half-open connection may have swallowed what it was sent), the newest message they were sent
 * during the silence. Confined to the couple's executor.
 */
final class OfflinePushes {
    /** Slack for the time between the presentation server's last read of a quiet client and its report. */
    static final long QUIET_SLACK_MILLIS = 2000;

    private final long coupleId;
    private final OfflineNotifier offline;
    private final Clock clock;
    private long userA;
    private long userB;
    /** The newest message each partner was sent by the other; null if none yet. */
    private Message lastForA;
    private Message lastForB;

    OfflinePushes(long coupleId, OfflineNotifier offline, Clock clock) {
        this.coupleId = coupleId;
        this.offline = offline;
        this.clock = clock;
    }

    /** The couple's two members, once it is loaded. */
    void members(long userA, long userB) {
        this.userA = userA;
        this.userB = userB;
    }

    /**
     * Messages were committed: {@link #offline} is told of the newest one for each partner who was sent one
     * and has no live session ({@code live} false): the partner of its sender, offline on every device.
     */
    void committed(List<Message> messages, LongPredicate live) {
        Message forA = null;
        Message forB = null;
        for (Message message : messages) {
            if (message.getSenderId() == userA) {
                forB = message;
            } else if (message.getSenderId() == userB) {
                forA = message;
            }
        }
        if (forA != null) {
            lastForA = forA;
            if (!live.test(userA)) {
                offline.missed(coupleId, userA, forA);
            }
        }
        if (forB != null) {
            lastForB = forB;
            if (!live.test(userB)) {
                offline.missed(coupleId, userB, forB);
            }
        }
    }

    /**
     * A session of {@code userId} went quiet after {@code silentMillis} of silence, and the user has no live
     * session left: the newest message the partner sent them during the silence is pushed now.
     */
    void lastLiveSessionQuiet(long userId, long silentMillis) {
        Message newest = userId == userA ? lastForA : userId == userB ? lastForB : null;
        if (newest != null && newest.getSentAtMillis() >= clock.millis() - silentMillis - QUIET_SLACK_MILLIS) {
            offline.missed(coupleId, userId, newest);
        }
    }
}
