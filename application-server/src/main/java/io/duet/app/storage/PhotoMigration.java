package io.duet.app.storage;

import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Mutation;
import org.apache.hadoop.hbase.filter.ColumnRangeFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Moves the photos' metadata that older releases kept in the couple row (family {@code p}, qualifier
 * 0x05 + photo id: {@link SpaceStore#photoQualifier}) to the photos table ({@link PhotoStore}), by the
 * couple's owner, under its fence, {@code batch} photos at a time:
 *
 * <ol>
 *   <li>read the next {@code batch} old cells, and which of those photos the photos table has already;</li>
 *   <li>write the others, their bytes as read (so fields this release does not know stay), with their
 *       index rows and the new count, in one write conditional on the photos' head holding the fence;</li>
 *   <li>delete the batch's old cells from the couple row, conditional on its epoch cell holding the fence.</li>
 * </ol>
 *
 * <p>A move that stops after step 2 leaves the batch in both places; the next one (by this owner or the
 * next) finds those photos in the table, counts and copies none of them again, and deletes the old cells.
 * No photo is lost (it is copied before it is deleted) or counted twice.
 */
public final class PhotoMigration {
    /** Photos moved per write: about 125 KB of metadata. */
    public static final int DEFAULT_BATCH = 500;
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final AsyncTable<?> couples;
    private final PhotoStore photos;
    private final int batch;

    PhotoMigration(AsyncTable<?> couples, PhotoStore photos, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch: " + batch + " (expected: >= 1)");
        }
        this.couples = couples;
        this.photos = photos;
        this.batch = batch;
    }

    /** What one batch moves: the records to add to the photos table, and the count after them. */
    record Plan(List<Moved> added, long countAfter) {
    }

    /** One photo to copy: its id, upload time (its index row) and record as read. */
    record Moved(String photoId, long uploadedAtMillis, byte[] record) {
    }

    /**
     * The batch's plan: every old cell whose photo the table does not have yet is added, and counted once.
     * Fails with {@link IllegalStateException} on a record it cannot read (it would have no index row).
     */
    static Plan plan(long coupleId, Map<String, byte[]> old, Set<String> inTable, long count) {
        List<Moved> added = new ArrayList<>();
        old.forEach((photoId, record) -> {
            if (!inTable.contains(photoId)) {
                try {
                    added.add(new Moved(photoId, CODEC.decode(record, new StoredPhoto()).getUploadedAtMillis(), record));
                } catch (MalformedPayloadException e) {
                    throw new IllegalStateException("unreadable photo " + photoId + " in the row of couple " + coupleId, e);
                }
            }
        });
        return new Plan(added, count + added.size());
    }

    /**
     * Moves every old photo cell of the couple, a batch per round trip; completes with the couple's photo
     * count after them ({@code count}: the count the claim read).
     */
    public CompletableFuture<Long> migrate(long coupleId, long fence, long count) {
        return next(coupleId, fence, count).thenCompose(moved -> moved.done()
                ? CompletableFuture.completedFuture(moved.count())
                : migrate(coupleId, fence, moved.count()));
    }

    /** What a batch did: the count after it, and whether no old cell is left. */
    record Batch(long count, int cells, boolean done) {
    }

    /** One batch (steps 1 to 3). */
    CompletableFuture<Batch> next(long coupleId, long fence, long count) {
        return old(coupleId, batch).thenCompose(old -> {
            if (old.isEmpty()) {
                return CompletableFuture.completedFuture(new Batch(count, 0, true));
            }
            return photos.getAll(coupleId, old.keySet()).thenCompose(inTable -> {
                Plan plan = plan(coupleId, old, inTable.keySet(), count);
                List<Mutation> mutations = new ArrayList<>();
                for (Moved moved : plan.added()) {
                    mutations.addAll(photos.rowsOf(coupleId, moved.photoId(), moved.uploadedAtMillis(), moved.record()));
                }
                CompletableFuture<Void> copied = mutations.isEmpty() ? CompletableFuture.completedFuture(null)
                        : photos.write(coupleId, fence, with(mutations, photos.count(coupleId, plan.countAfter())));
                return copied.thenCompose(ignored -> deleteOld(coupleId, fence, old.keySet()))
                        .thenApply(ignored -> new Batch(plan.countAfter(), old.size(), old.size() < batch));
            });
        });
    }

    private static List<Mutation> with(List<Mutation> mutations, Mutation one) {
        mutations.add(one);
        return mutations;
    }

    /** Up to {@code limit} of the couple's old photo cells, by photo id. */
    public CompletableFuture<Map<String, byte[]>> old(long coupleId, int limit) {
        byte[] first = SpaceStore.photoQualifier("0".repeat(2 * PhotoRows.ID_BYTES));
        Get get = new Get(photos.coupleRow(coupleId)).addFamily(HBaseSchema.SPACE)
                .setFilter(new ColumnRangeFilter(first, true, new byte[] {(byte) (first[0] + 1)}, false))
                .setMaxResultsPerColumnFamily(limit);
        return couples.get(get).thenApply(result -> {
            Map<String, byte[]> cells = new LinkedHashMap<>();
            Map<byte[], byte[]> family = result.getFamilyMap(HBaseSchema.SPACE);
            if (family != null) {
                family.forEach((qualifier, value) -> {
                    if (qualifier.length == 1 + PhotoRows.ID_BYTES) {
                        cells.put(HexFormat.of().formatHex(qualifier, 1, qualifier.length), value);
                    }
                });
            }
            return cells;
        });
    }

    private CompletableFuture<Void> deleteOld(long coupleId, long fence, Set<String> photoIds) {
        byte[] row = photos.coupleRow(coupleId);
        Delete delete = new Delete(row);
        photoIds.forEach(photoId -> delete.addColumns(HBaseSchema.SPACE, SpaceStore.photoQualifier(photoId)));
        return couples.checkAndMutate(CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(fence)).build(delete)).thenAccept(result -> {
                    if (!result.isSuccess()) {
                        throw new FencedException(coupleId, CoupleStore.shardEpochOf(fence),
                                "the row was claimed again during this photo move");
                    }
                });
    }
}
