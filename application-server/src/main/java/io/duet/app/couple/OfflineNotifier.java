package io.duet.app.couple;

import io.duet.protocol.api.Message;

/**
 * Told of a committed message whose recipient (the sender's partner) has no live session attached to the
 * couple (none, or only sessions whose client went quiet, see {@link SessionStream#isClientQuiet()}): none
 * of their devices would hear of it but by a push ({@code io.duet.app.push.Pushes}); {@link OfflinePushes}
 * decides when. Called on the couple's executor, once per commit and recipient with the newest such message,
 * and once when the recipient's last live session goes quiet: it must not block.
 */
public interface OfflineNotifier {
    OfflineNotifier NONE = (coupleId, recipientId, message) -> { };

    void missed(long coupleId, long recipientId, Message message);
}
