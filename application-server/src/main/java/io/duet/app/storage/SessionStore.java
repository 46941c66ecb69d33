package io.duet.app.storage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Device sessions: one row per log-in on one device, holding the hash of its current refresh token
 * (never the token) and of the few used before it, which is how a reused token is recognised. Cells
 * are written one by one, never read and written back whole, so cells a newer server adds survive.
 */
public final class SessionStore {
    /** Hash length of a refresh token (SHA-256). */
    public static final int HASH_BYTES = 32;

    private final AsyncTable<?> sessions;

    public SessionStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.sessions = connection.getTable(schema.sessions(), callbacks);
    }

    public CompletableFuture<Void> create(SessionRecord session, long createdAtMillis) {
        return sessions.put(new Put(row(session.userId(), session.sessionId()))
                .addColumn(HBaseSchema.SESSION, HBaseSchema.REFRESH_HASH, session.refreshHash())
                .addColumn(HBaseSchema.SESSION, HBaseSchema.DEVICE, session.deviceId().getBytes(StandardCharsets.UTF_8))
                .addColumn(HBaseSchema.SESSION, HBaseSchema.CREATED, Bytes.toBytes(createdAtMillis))
                .addColumn(HBaseSchema.SESSION, HBaseSchema.EXPIRES, Bytes.toBytes(session.expiresAtMillis())));
    }

    public CompletableFuture<Optional<SessionRecord>> get(long userId, String sessionId) {
        return sessions.get(new Get(row(userId, sessionId)).addFamily(HBaseSchema.SESSION)).thenApply(result -> {
            byte[] hash = result.getValue(HBaseSchema.SESSION, HBaseSchema.REFRESH_HASH);
            byte[] expires = result.getValue(HBaseSchema.SESSION, HBaseSchema.EXPIRES);
            if (hash == null || expires == null) {
                return Optional.empty();
            }
            byte[] device = result.getValue(HBaseSchema.SESSION, HBaseSchema.DEVICE);
            return Optional.of(new SessionRecord(userId, sessionId,
                    device == null ? "" : new String(device, StandardCharsets.UTF_8), hash,
                    splitHashes(result.getValue(HBaseSchema.SESSION, HBaseSchema.USED_HASHES)), Bytes.toLong(expires)));
        });
    }

    /**
     * Replaces the session's refresh token, if its current one is still {@code expectedHash}: the write
     * that makes a refresh token single-use. False if another refresh (or a log-out) came first.
     */
    public CompletableFuture<Boolean> rotate(SessionRecord rotated, byte[] expectedHash) {
        byte[] row = row(rotated.userId(), rotated.sessionId());
        CheckAndMutate swap = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.SESSION, HBaseSchema.REFRESH_HASH, expectedHash)
                .build(new Put(row)
                        .addColumn(HBaseSchema.SESSION, HBaseSchema.REFRESH_HASH, rotated.refreshHash())
                        .addColumn(HBaseSchema.SESSION, HBaseSchema.USED_HASHES, joinHashes(rotated.usedHashes()))
                        .addColumn(HBaseSchema.SESSION, HBaseSchema.EXPIRES, Bytes.toBytes(rotated.expiresAtMillis())));
        return sessions.checkAndMutate(swap).thenApply(result -> result.isSuccess());
    }

    public CompletableFuture<Void> delete(long userId, String sessionId) {
        return sessions.delete(new Delete(row(userId, sessionId)));
    }

    /** Deletes every session of {@code userId}; returns how many there were. */
    public CompletableFuture<Integer> deleteAll(long userId) {
        return sessions.scanAll(new Scan().setRowPrefixFilter(HBaseSchema.userRow(userId))
                        .addColumn(HBaseSchema.SESSION, HBaseSchema.EXPIRES))
                .thenCompose(rows -> {
                    List<Delete> deletes = new ArrayList<>();
                    for (Result result : rows) {
                        deletes.add(new Delete(result.getRow()));
                    }
                    return sessions.deleteAll(deletes).thenApply(ignored -> deletes.size());
                });
    }

    static byte[] row(long userId, String sessionId) {
        return Bytes.add(HBaseSchema.userRow(userId), sessionId.getBytes(StandardCharsets.UTF_8));
    }

    private static List<byte[]> splitHashes(byte[] joined) {
        List<byte[]> hashes = new ArrayList<>();
        if (joined != null) {
            for (int i = 0; i + HASH_BYTES <= joined.length; i += HASH_BYTES) {
                hashes.add(Arrays.copyOfRange(joined, i, i + HASH_BYTES));
            }
        }
        return hashes;
    }

    private static byte[] joinHashes(List<byte[]> hashes) {
        byte[] joined = new byte[hashes.size() * HASH_BYTES];
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, joined, i * HASH_BYTES, HASH_BYTES);
        }
        return joined;
    }
}
