package io.duet.app.storage;

import java.util.List;

/**
 * A device session as stored: who, on which device, the hash of its current refresh token, the hashes
 * of the ones used before (newest last), and when it ends unless refreshed.
 */
public record SessionRecord(long userId, String sessionId, String deviceId, byte[] refreshHash,
        List<byte[]> usedHashes, long expiresAtMillis) {
    public SessionRecord {
        usedHashes = List.copyOf(usedHashes);
    }
}
