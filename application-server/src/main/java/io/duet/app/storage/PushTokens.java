package io.duet.app.storage;

import io.duet.protocol.storage.StoredPushToken;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Devices' push tokens, per user and device; {@link PushTokenStore} keeps them in HBase. */
public interface PushTokens {
    /** A device of a user and its token. */
    record DeviceToken(String deviceId, StoredPushToken token) {
    }

    /** Sets the device's token, replacing any earlier one. */
    CompletableFuture<Void> register(long userId, String deviceId, StoredPushToken token);

    /** Removes the device's token, if it has one. */
    CompletableFuture<Void> unregister(long userId, String deviceId);

    /** Deletes the device's token if it is still {@code token}; true if it was deleted. */
    CompletableFuture<Boolean> dropIfStill(long userId, String deviceId, StoredPushToken token);

    /** Every device of {@code userId} with a token. */
    CompletableFuture<List<DeviceToken>> tokens(long userId);
}
