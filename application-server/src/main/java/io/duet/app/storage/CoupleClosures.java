package io.duet.app.storage;

import io.duet.protocol.cluster.Shards;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Closing couple rows (unpairing, account deletion). Closing records who closed the couple and when ({@code
 * o:z}) and sets the epoch and writer cells to {@link #CLOSED_FENCE}, in one conditional write: every later
 * message commit (conditional on the writer cell) and space write (on the epoch cell) of the couple's owner
 * fails as fenced, and a claim finds the row closed ({@link CoupleClosedException}), so no server loads the
 * couple again. A closed row is then purged: its messages, send index and space are deleted, and the owner
 * cells stay as a tombstone (member ids, created and closed at), so that a token naming the couple gets a
 * clear error rather than "no such couple".
 */
public final class CoupleClosures {
    /** The fence value of a closed couple: above every value an owner claims with. */
    public static final long CLOSED_FENCE = Long.MAX_VALUE;

    private final AsyncTable<?> table;
    private final HBaseSchema schema;
    private final MessageArchive archive;
    private final PhotoStore photos;
    private final PhotoMigration photoMigration;

    CoupleClosures(AsyncTable<?> table, HBaseSchema schema, MessageArchive archive, PhotoStore photos,
            PhotoMigration photoMigration) {
        this.table = table;
        this.schema = schema;
        this.archive = archive;
        this.photos = photos;
        this.photoMigration = photoMigration;
    }

    /** A couple's members, and when it was closed (0: open). */
    public record Membership(long userA, long userB, long closedAtMillis) {
        public boolean closed() {
            return closedAtMillis != 0;
        }

        public boolean hasMember(long userId) {
            return userId == userA || userId == userB;
        }

        public long partnerOf(long userId) {
            return userId == userA ? userB : userA;
        }
    }

    private byte[] row(long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    /** The couple's members and state, if its row exists. */
    public CompletableFuture<Optional<Membership>> membership(long coupleId) {
        Get get = new Get(row(coupleId)).addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_A)
                .addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_B).addColumn(HBaseSchema.OWNER, HBaseSchema.CLOSED);
        return table.get(get).thenApply(result -> {
            byte[] a = result.getValue(HBaseSchema.OWNER, HBaseSchema.MEMBER_A);
            byte[] b = result.getValue(HBaseSchema.OWNER, HBaseSchema.MEMBER_B);
            byte[] closed = result.getValue(HBaseSchema.OWNER, HBaseSchema.CLOSED);
            if (a == null || b == null) {
                return Optional.empty();
            }
            return Optional.of(new Membership(Bytes.toLong(a), Bytes.toLong(b),
                    closed == null ? 0 : Math.max(1, Bytes.toLong(closed))));
        });
    }

    /** The closed cell: when, and by whom. */
    static byte[] closedCell(long closedAtMillis, long closedBy) {
        byte[] value = new byte[2 * Long.BYTES];
        Bytes.putLong(value, 0, closedAtMillis);
        Bytes.putLong(value, Long.BYTES, closedBy);
        return value;
    }

    /**
     * Closes the couple, unless it is closed already. Idempotent.
     *
     * @return true if this call closed it
     */
    public CompletableFuture<Boolean> close(long coupleId, long closedBy, long closedAtMillis) {
        byte[] row = row(coupleId);
        byte[] fence = Bytes.toBytes(CLOSED_FENCE);
        byte[] writer = new byte[2 * Long.BYTES];
        Bytes.putLong(writer, 0, CLOSED_FENCE);
        CheckAndMutate close = CheckAndMutate.newBuilder(row).ifNotExists(HBaseSchema.OWNER, HBaseSchema.CLOSED)
                .build(new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.CLOSED, closedCell(closedAtMillis, closedBy))
                        .addColumn(HBaseSchema.OWNER, HBaseSchema.EPOCH, fence)
                        .addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer));
        return table.checkAndMutate(close).thenApply(result -> result.isSuccess());
    }

    /**
     * Every photo record of a closed couple, by photo id: first its photo rows are fenced for good (so no
     * deposed owner adds one after this read), then read with those an older release left in its row.
     * Idempotent; for finding the objects to delete before the {@link #purge}.
     */
    public CompletableFuture<Map<String, byte[]>> closedPhotos(long coupleId) {
        return photos.close(coupleId)
                .thenCompose(ignored -> photos.all(coupleId))
                .thenCompose(inTable -> photoMigration.old(coupleId, Integer.MAX_VALUE).thenApply(old -> {
                    Map<String, byte[]> all = new LinkedHashMap<>(old);
                    all.putAll(inTable);
                    return all;
                }));
    }

    /**
     * Deletes a closed couple's messages (its archive rows too), send index and space (memos, calendar,
     * photos' metadata (its photo rows too), nicknames, read marks), keeping its owner cells. Idempotent; fails with {@link IllegalStateException} if the
     * couple is not closed.
     */
    public CompletableFuture<Void> purge(long coupleId) {
        byte[] row = row(coupleId);
        CheckAndMutate purge = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(CLOSED_FENCE))
                .build(new Delete(row).addFamily(HBaseSchema.MESSAGES).addFamily(HBaseSchema.DEDUP)
                        .addFamily(HBaseSchema.SPACE));
        return table.checkAndMutate(purge).thenCompose(result -> {
            if (!result.isSuccess()) {
                throw new IllegalStateException("couple " + coupleId + " is not closed: its data stays");
            }
            return CompletableFuture.allOf(archive.purge(coupleId), photos.purge(coupleId));
        });
    }
}
