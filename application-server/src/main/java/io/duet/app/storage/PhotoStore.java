package io.duet.app.storage;

import io.duet.protocol.cluster.Shards;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Mutation;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.filter.FilterList;
import org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter;
import org.apache.hadoop.hbase.filter.KeyOnlyFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Photos' metadata, in rows of their own (the photos table, keys in {@link PhotoRows}), so the couple row
 * does not grow with them and a page of photos costs the same at any depth.
 *
 * <p>Fenced like the archive: a couple's head row holds the fence of its photos' owner ({@code o:w}). An
 * owner {@linkplain #claim claims} it before it reads or writes any photo row of the couple (raising it,
 * unless a newer owner holds it), and every write is one atomic multi-row write ({@link MultiRowWrites})
 * conditional on the head still holding that fence: once a newer owner has claimed, a deposed owner's
 * writes are refused, and whatever a deposed owner wrote before is there when the newer one reads. A
 * closed couple's head holds {@link CoupleClosures#CLOSED_FENCE}, which no owner can claim past.
 */
public final class PhotoStore {
    private final AsyncTable<?> table;
    private final HBaseSchema schema;

    PhotoStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.table = connection.getTable(schema.photos(), callbacks);
        this.schema = schema;
    }

    byte[] coupleRow(long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    /**
     * Claims the couple's photo rows with {@code fence} (a new head row counts 0 photos); completes with
     * the couple's photo count, or fails with {@link FencedException} if a newer owner claimed them.
     */
    public CompletableFuture<Long> claim(long coupleId, long fence) {
        byte[] head = PhotoRows.head(coupleRow(coupleId));
        return raiseFence(coupleId, fence)
                .thenCompose(claimed -> {
                    if (!claimed) {
                        throw fenced(coupleId, fence, "a newer owner (or the couple's closing) claimed its photos");
                    }
                    return table.get(new Get(head).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTO_COUNT));
                })
                .thenApply(result -> {
                    byte[] count = result.getValue(HBaseSchema.OWNER, HBaseSchema.PHOTO_COUNT);
                    return count == null ? 0L : Bytes.toLong(count);
                });
    }

    /**
     * Raises the fence of the couple's photo rows to {@code fence}, making the head row (0 photos) if there
     * is none; completes with false if a newer owner (or the couple's closing) holds it. The owner's claim of
     * the couple does this beside its claim of the couple row ({@link CoupleStore#claim}), so that a deposed
     * owner's photo writes are refused from the moment the new owner's claim succeeds, as its message writes are.
     */
    CompletableFuture<Boolean> raiseFence(long coupleId, long fence) {
        byte[] head = PhotoRows.head(coupleRow(coupleId));
        Put raise = new Put(head).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE, Bytes.toBytes(fence));
        // "fence >= the stored fence": HBase compares the given value to the stored one.
        CheckAndMutate overwrite = CheckAndMutate.newBuilder(head)
                .ifMatches(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE, CompareOperator.GREATER_OR_EQUAL,
                        Bytes.toBytes(fence)).build(raise);
        CheckAndMutate create = CheckAndMutate.newBuilder(head).ifNotExists(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE)
                .build(new Put(head).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE, Bytes.toBytes(fence))
                        .addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTO_COUNT, Bytes.toBytes(0L)));
        return table.checkAndMutate(overwrite)
                .thenCompose(first -> first.isSuccess() ? CompletableFuture.completedFuture(true)
                        : table.checkAndMutate(create).thenApply(second -> second.isSuccess()));
    }

    /** Deletes the couple's head row (a couple deleted whole, that never had photos: the warm-up's). */
    CompletableFuture<Void> deleteHead(long coupleId) {
        return table.delete(new Delete(PhotoRows.head(coupleRow(coupleId))));
    }

    /** Photo {@code photoId}'s record as stored, or null if the couple has no such photo in this table. */
    public CompletableFuture<byte[]> get(long coupleId, String photoId) {
        return table.get(new Get(PhotoRows.photo(coupleRow(coupleId), photoId))
                .addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD))
                .thenApply(result -> result.getValue(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD));
    }

    /** The records of those of {@code photoIds} that the couple has, by id, in one multi-get. */
    public CompletableFuture<Map<String, byte[]>> getAll(long coupleId, Collection<String> photoIds) {
        byte[] couple = coupleRow(coupleId);
        List<Get> gets = new ArrayList<>(photoIds.size());
        for (String photoId : photoIds) {
            gets.add(new Get(PhotoRows.photo(couple, photoId)).addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD));
        }
        return table.getAll(gets).thenApply(results -> {
            Map<String, byte[]> found = new LinkedHashMap<>();
            for (Result result : results) {
                byte[] value = result.getValue(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD);
                if (value != null) {
                    found.put(PhotoRows.idOfPhoto(result.getRow()), value);
                }
            }
            return found;
        });
    }

    /**
     * Up to {@code limit} photo ids, newest first, after index row {@code after} (null: from the newest):
     * one scan from a key, whatever the depth.
     */
    public CompletableFuture<List<String>> page(long coupleId, byte[] after, int limit) {
        byte[] couple = coupleRow(coupleId);
        Scan scan = new Scan().withStartRow(after == null ? PhotoRows.indexStart(couple) : after, after == null)
                .withStopRow(PhotoRows.indexStop(couple), false).setLimit(limit).setCaching(limit)
                .setFilter(new FilterList(new FirstKeyOnlyFilter(), new KeyOnlyFilter()));
        return table.scanAll(scan).thenApply(results -> {
            List<String> ids = new ArrayList<>(results.size());
            results.forEach(result -> ids.add(PhotoRows.idOfIndex(result.getRow())));
            return ids;
        });
    }

    /** Where photo {@code photoId}, uploaded at {@code uploadedAtMillis}, sorts: a {@link #page} cursor. */
    public byte[] indexRow(long coupleId, long uploadedAtMillis, String photoId) {
        return PhotoRows.index(coupleRow(coupleId), uploadedAtMillis, photoId);
    }

    /** Adds a photo (its record and index row) and sets the count to {@code countAfter}, as one fenced write. */
    public CompletableFuture<Void> add(long coupleId, long fence, String photoId, long uploadedAtMillis, byte[] record,
            long countAfter) {
        List<Mutation> rows = new ArrayList<>(rowsOf(coupleId, photoId, uploadedAtMillis, record));
        rows.add(count(coupleId, countAfter));
        return write(coupleId, fence, rows);
    }

    /** Rewrites a photo's record (its upload time, and so its index row, unchanged), fenced. */
    public CompletableFuture<Void> replace(long coupleId, long fence, String photoId, byte[] record) {
        return write(coupleId, fence, List.of(new Put(PhotoRows.photo(coupleRow(coupleId), photoId))
                .addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD, record)));
    }

    /** Deletes a photo's rows and sets the count to {@code countAfter}, as one fenced write. */
    public CompletableFuture<Void> remove(long coupleId, long fence, String photoId, long uploadedAtMillis, long countAfter) {
        byte[] couple = coupleRow(coupleId);
        return write(coupleId, fence, List.of(new Delete(PhotoRows.photo(couple, photoId)),
                new Delete(PhotoRows.index(couple, uploadedAtMillis, photoId)), count(coupleId, countAfter)));
    }

    /** A new photo's rows: its record and its index row. */
    List<Mutation> rowsOf(long coupleId, String photoId, long uploadedAtMillis, byte[] record) {
        byte[] couple = coupleRow(coupleId);
        return List.of(new Put(PhotoRows.photo(couple, photoId)).addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD, record),
                new Put(PhotoRows.index(couple, uploadedAtMillis, photoId))
                        .addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_INDEX, new byte[0]));
    }

    /** The head's photo count set to {@code count}. */
    Mutation count(long coupleId, long count) {
        return new Put(PhotoRows.head(coupleRow(coupleId))).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTO_COUNT,
                Bytes.toBytes(count));
    }

    /**
     * Writes {@code mutations} (of this couple's rows) as one, if the couple's head still holds {@code fence};
     * fails with {@link FencedException} if it does not.
     */
    CompletableFuture<Void> write(long coupleId, long fence, List<Mutation> mutations) {
        byte[] head = PhotoRows.head(coupleRow(coupleId));
        return MultiRowWrites.ifEquals(table, head, HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE, Bytes.toBytes(fence),
                mutations).thenAccept(written -> {
                    if (!written) {
                        throw fenced(coupleId, fence, "the couple's photos were claimed again before this write");
                    }
                });
    }

    // ---- closing -----------------------------------------------------------------------------------

    /**
     * Fences the couple's photo rows for good ({@link CoupleClosures#CLOSED_FENCE}): no owner's photo write
     * lands after it. Idempotent.
     */
    CompletableFuture<Void> close(long coupleId) {
        byte[] head = PhotoRows.head(coupleRow(coupleId));
        return table.put(new Put(head).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE,
                Bytes.toBytes(CoupleClosures.CLOSED_FENCE)));
    }

    /** Every photo record of the couple in this table, by id (for a closed couple's purge: one scan). */
    CompletableFuture<Map<String, byte[]>> all(long coupleId) {
        byte[] couple = coupleRow(coupleId);
        byte[] first = PhotoRows.photo(couple, "0".repeat(2 * PhotoRows.ID_BYTES));
        Scan scan = new Scan().withStartRow(first, true).withStopRow(PhotoRows.indexStart(couple), false)
                .addColumn(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD);
        return table.scanAll(scan).thenApply(results -> {
            Map<String, byte[]> records = new LinkedHashMap<>();
            results.forEach(result -> records.put(PhotoRows.idOfPhoto(result.getRow()),
                    result.getValue(HBaseSchema.SPACE, HBaseSchema.PHOTO_RECORD)));
            return records;
        });
    }

    /** How many of a closed couple's photo rows {@link #purge} reads and deletes at a time. */
    static final int PURGE_BATCH = 1000;

    /**
     * Deletes the couple's photo and index rows, keeping its head (closed) as a tombstone: {@value #PURGE_BATCH}
     * rows at a time, so that a couple at the cap (two rows a photo) is never held in memory or sent whole.
     */
    CompletableFuture<Void> purge(long coupleId) {
        byte[] couple = coupleRow(coupleId);
        // The head sorts first among the couple's rows, its index rows last: from right after the one to the other.
        return purgeFrom(PhotoRows.head(couple), couple);
    }

    private CompletableFuture<Void> purgeFrom(byte[] after, byte[] couple) {
        Scan scan = new Scan().withStartRow(after, false).withStopRow(PhotoRows.indexStop(couple), false)
                .setLimit(PURGE_BATCH).setCaching(PURGE_BATCH)
                .setFilter(new FilterList(new FirstKeyOnlyFilter(), new KeyOnlyFilter()));
        return table.scanAll(scan).thenCompose(rows -> {
            if (rows.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<Delete> deletes = new ArrayList<>(rows.size());
            rows.forEach(result -> deletes.add(new Delete(result.getRow())));
            byte[] last = rows.get(rows.size() - 1).getRow();
            return table.deleteAll(deletes).thenCompose(deleted -> rows.size() < PURGE_BATCH
                    ? CompletableFuture.completedFuture(null) : purgeFrom(last, couple));
        });
    }

    private static FencedException fenced(long coupleId, long fence, String detail) {
        return new FencedException(coupleId, CoupleStore.shardEpochOf(fence), detail);
    }
}
