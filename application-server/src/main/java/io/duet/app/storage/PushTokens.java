package io.duet.app.storage;

import io.duet.protocol.storage.StoredPushToken;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Devices' push tokens, per user and device; {@link PushTokenStore} keeps them in HBase. */
public interface PushTokens {
    /**
     * A device of a user and its token, with the cell's bytes as read ({@code stored}): a newer release may
     * have written fields this one does not know, so only those bytes say whether the cell still holds this
     * token. {@code version} is the cell's version as read (its HBase timestamp), so that dropping the token
     * deletes that version and older ones, never a token registered since. Compared by content; {@code
     * stored} is not to be modified.
     */
    record DeviceToken(String deviceId, StoredPushToken token, byte[] stored, long version) {
        @Override
        public boolean equals(Object other) {
            return other instanceof DeviceToken device && device.deviceId.equals(deviceId)
                    && device.token.equals(token) && Arrays.equals(device.stored, stored) && device.version == version;
        }

        @Override
        public int hashCode() {
            return 31 * deviceId.hashCode() + Arrays.hashCode(stored);
        }
    }

    /** Sets the device's token, replacing any earlier one. */
    CompletableFuture<Void> register(long userId, String deviceId, StoredPushToken token);

    /** Removes the device's token, if it has one. */
    CompletableFuture<Void> unregister(long userId, String deviceId);

    /**
     * Deletes the device's token if its cell still holds the bytes {@link #tokens} read ({@code
     * device.stored()}): the version read and older ones ({@code device.version()}), so a registration that
     * follows, even within the same millisecond, survives. True if the condition held: when the device
     * registered the same bytes again since the read, that newer cell stays, and the token goes at its next
     * rejection.
     */
    CompletableFuture<Boolean> dropIfStill(long userId, DeviceToken device);

    /** Every device of {@code userId} with a token. */
    CompletableFuture<List<DeviceToken>> tokens(long userId);
}
