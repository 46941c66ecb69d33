package io.duet.app.couple;

import io.duet.protocol.api.Message;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Told of a committed message whose recipient (the sender's partner) has no session attached to the
 * couple: none of their devices would hear of it but by a push ({@code io.duet.app.push.Pushes}). Called on
 * the couple's executor, once per commit and recipient with the newest such message: it must not block.
 */
public interface OfflineNotifier {
    OfflineNotifier NONE = (coupleId, recipientId, message) -> { };

    void missed(long coupleId, long recipientId, Message message);

    /**
     * Tells {@link #missed} of the newest message of one commit for each partner of couple {@code coupleId}
     * ({@code userA}, {@code userB}) who has no session attached ({@code connected} false): the partner of its
     * sender, offline on every device.
     */
    default void committed(long coupleId, long userA, long userB, List<Message> messages, LongPredicate connected) {
        Message forA = null;
        Message forB = null;
        for (Message message : messages) {
            if (message.getSenderId() == userA) {
                forB = message;
            } else if (message.getSenderId() == userB) {
                forA = message;
            }
        }
        if (forA != null && !connected.test(userA)) {
            missed(coupleId, userA, forA);
        }
        if (forB != null && !connected.test(userB)) {
            missed(coupleId, userB, forB);
        }
    }
}
