package io.duet.app.storage;

import io.duet.protocol.api.Message;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
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
import org.apache.hadoop.hbase.client.RowMutations;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.filter.ColumnRangeFilter;
import org.apache.hadoop.hbase.filter.FilterList;
import org.apache.hadoop.hbase.filter.FirstKeyOnlyFilter;
import org.apache.hadoop.hbase.filter.KeyOnlyFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Where a couple's messages are, and moving the old ones out of its row. The couple row keeps the
 * messages after its archive mark ({@link ArchiveMark}); the ones up to it live in the archive table, one
 * row per bucket of sequence numbers ({@link HBaseSchema#archiveRow}), so that neither row grows without
 * bound and any page is one or two bucket reads away, at any depth.
 *
 * <p><b>Reads</b> ({@link #read}) take the couple row's cells of the range first; when they cover it (the
 * recent messages) that is all. Otherwise the mark, read after them, says which part is archived, and that
 * part comes from its buckets: a cell still in the couple row (an edit not folded in yet) wins over the
 * archived one unless the archived one has a higher version.
 *
 * <p><b>Moves</b> ({@link #moveNext}), by the couple's owner only, one at a time and never beside an edit
 * of the same couple: the lowest bucket with cells in the couple row is written to its archive row
 * (conditional on that row's fence cell not being newer than the owner's: a deposed owner cannot write
 * over what a newer one archived), then its cells are deleted from the couple row and the mark advanced in
 * one write conditional on the owner's fence (the epoch cell), which a deposed owner no longer has. The
 * archive write is idempotent: the same bucket, the same cells. Edits and deletes of archived messages are
 * written to the couple row under the fence like any other ({@link CoupleStore#rewriteMessage}); the next
 * move of their bucket folds them into the archive.
 */
public final class MessageArchive {
    private final AsyncTable<?> couples;
    private final AsyncTable<?> archive;
    private final HBaseSchema schema;
    private final int bucketSize;
    private final StoreMeters meters;
    private final ThriftCodec codec = ThriftCodec.INTERNAL;

    MessageArchive(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks, int bucketSize,
            StoreMeters meters) {
        this.couples = connection.getTable(schema.couples(), callbacks);
        this.archive = connection.getTable(schema.archive(), callbacks);
        this.schema = schema;
        this.bucketSize = bucketSize;
        this.meters = meters;
    }

    /** The bucket size of couples that have archived nothing yet. */
    public int bucketSize() {
        return bucketSize;
    }

    private int shardOf(long coupleId) {
        return Shards.shardOf(coupleId, schema.shardCount());
    }

    private byte[] coupleRow(long coupleId) {
        return HBaseSchema.coupleRow(shardOf(coupleId), coupleId);
    }

    private byte[] bucketRow(long coupleId, long bucket) {
        return HBaseSchema.archiveRow(shardOf(coupleId), coupleId, bucket);
    }

    private static ColumnRangeFilter range(long fromSeq, long toSeq) {
        return new ColumnRangeFilter(HBaseSchema.messageQualifier(fromSeq), true,
                HBaseSchema.messageQualifier(toSeq), true);
    }

    // ---- reads -------------------------------------------------------------------------------------

    /** The couple's archive mark as stored now. */
    public CompletableFuture<ArchiveMark> mark(long coupleId) {
        return couples.get(new Get(coupleRow(coupleId)).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK))
                .thenApply(result -> ArchiveMark.decode(result.getValue(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK),
                        bucketSize));
    }

    /** Up to {@code limit} messages with sequence numbers in [fromSeq, toSeq], oldest first, wherever they are. */
    CompletableFuture<List<Message>> read(long coupleId, long fromSeq, long toSeq, int limit) {
        if (fromSeq > toSeq || limit < 1) {
            return CompletableFuture.completedFuture(List.of());
        }
        Get get = new Get(coupleRow(coupleId)).addFamily(HBaseSchema.MESSAGES).setFilter(range(fromSeq, toSeq))
                .setMaxResultsPerColumnFamily(limit);
        return couples.get(get).thenCompose(result -> {
            NavigableMap<Long, byte[]> cells = cells(result);
            // Sequence numbers are dense: the couple row holding all of the page's is the whole answer.
            long pageSize = Math.min(limit, toSeq - fromSeq + 1);
            if (cells.size() == pageSize && cells.firstKey() == fromSeq && cells.lastKey() == fromSeq + pageSize - 1) {
                return CompletableFuture.completedFuture(decode(cells, limit));
            }
            // Read after the cells: whatever moved out of the row since is at or below this mark.
            return mark(coupleId).thenCompose(mark -> {
                if (!mark.archived(fromSeq)) {
                    return CompletableFuture.completedFuture(decode(cells, limit));
                }
                long archivedTo = Math.min(toSeq, mark.archivedUpTo());
                return readBuckets(coupleId, mark, fromSeq, archivedTo, limit, new TreeMap<>()).thenApply(archived -> {
                    cells.forEach((seq, value) -> archived.merge(seq, value, MessageArchive::newer));
                    return decode(archived, limit);
                });
            });
        });
    }

    /**
     * Reads the buckets of [fromSeq, toSeq] into {@code into}, two at a time, until it holds {@code limit}
     * cells or the range ends; a page needs more than two only where messages are missing.
     */
    private CompletableFuture<NavigableMap<Long, byte[]>> readBuckets(long coupleId, ArchiveMark mark, long fromSeq,
            long toSeq, int limit, NavigableMap<Long, byte[]> into) {
        long first = mark.bucketOf(fromSeq);
        long last = Math.min(mark.bucketOf(toSeq), Math.max(first + 1, mark.bucketOf(fromSeq + limit - 1)));
        List<Get> gets = new ArrayList<>();
        for (long bucket = first; bucket <= last; bucket++) {
            gets.add(new Get(bucketRow(coupleId, bucket)).addFamily(HBaseSchema.MESSAGES).setFilter(range(fromSeq, toSeq))
                    .setMaxResultsPerColumnFamily(limit));
        }
        return archive.getAll(gets).thenCompose(results -> {
            results.forEach(result -> into.putAll(cells(result)));
            long next = mark.lastOf(last) + 1;
            if (into.size() >= limit || next > toSeq) {
                return CompletableFuture.completedFuture(into);
            }
            return readBuckets(coupleId, mark, next, toSeq, limit, into);
        });
    }

    /** Of two stored states of one message, the one with the higher version; the couple row's on a tie. */
    private static byte[] newer(byte[] archived, byte[] inCoupleRow) {
        return version(archived) > version(inCoupleRow) ? archived : inCoupleRow;
    }

    private static long version(byte[] value) {
        try {
            return ThriftCodec.INTERNAL.decode(value, new StoredMessage()).getVersion();
        } catch (MalformedPayloadException e) {
            return -1;
        }
    }

    /**
     * The stored value of message {@code seq}, wherever it is (its edit in the couple row first), or null
     * if it has none.
     */
    CompletableFuture<byte[]> readStored(long coupleId, long seq) {
        byte[] qualifier = HBaseSchema.messageQualifier(seq);
        return couples.get(new Get(coupleRow(coupleId)).addColumn(HBaseSchema.MESSAGES, qualifier)).thenCompose(result -> {
            byte[] value = result.getValue(HBaseSchema.MESSAGES, qualifier);
            if (value != null) {
                return CompletableFuture.completedFuture(value);
            }
            return mark(coupleId).thenCompose(mark -> !mark.archived(seq) ? CompletableFuture.completedFuture(null)
                    : archive.get(new Get(bucketRow(coupleId, mark.bucketOf(seq))).addColumn(HBaseSchema.MESSAGES, qualifier))
                            .thenApply(archived -> archived.getValue(HBaseSchema.MESSAGES, qualifier)));
        });
    }

    private static NavigableMap<Long, byte[]> cells(Result result) {
        NavigableMap<Long, byte[]> cells = new TreeMap<>();
        NavigableMap<byte[], byte[]> family = result.getFamilyMap(HBaseSchema.MESSAGES);
        if (family != null) {
            family.forEach((qualifier, value) -> cells.put(Bytes.toLong(qualifier), value));
        }
        return cells;
    }

    private List<Message> decode(NavigableMap<Long, byte[]> cells, int limit) {
        List<Message> messages = new ArrayList<>(Math.min(limit, cells.size()));
        for (Map.Entry<Long, byte[]> cell : cells.entrySet()) {
            if (messages.size() == limit) {
                break;
            }
            messages.add(decode(cell.getKey(), cell.getValue()));
        }
        return messages;
    }

    Message decode(long seq, byte[] value) {
        StoredMessage stored;
        try {
            stored = codec.decode(value, new StoredMessage());
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("unreadable message " + seq + " in HBase", e);
        }
        return CoupleStore.toMessage(seq, stored);
    }

    // ---- moves -------------------------------------------------------------------------------------

    /** What one {@link #moveNext} did. */
    public record Move(ArchiveMark mark, long bucket, int messages) {
        /** A move that found nothing to do. */
        public boolean idle() {
            return messages == 0;
        }
    }

    /**
     * Moves one bucket out of the couple row, if there is one to move: the lowest bucket that has cells
     * there, when it is archived already (edits to fold in) or full and entirely at or below {@code
     * archivableUpTo}. Only the couple's owner calls it, never beside another move or an edit of the
     * couple. Fails with {@link FencedException} if the couple row or the bucket's archive row was claimed
     * by a newer owner.
     */
    public CompletableFuture<Move> moveNext(long coupleId, long fence, long archivableUpTo) {
        byte[] row = coupleRow(coupleId);
        CompletableFuture<Result> owner = couples.get(new Get(row).addColumn(HBaseSchema.OWNER, HBaseSchema.EPOCH)
                .addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK));
        CompletableFuture<Result> lowest = couples.get(new Get(row).addFamily(HBaseSchema.MESSAGES)
                .setFilter(new FilterList(new FirstKeyOnlyFilter(), new KeyOnlyFilter())));
        return meters.timed(StoreMeters.Op.ARCHIVE_MOVE, owner.thenCombine(lowest, (o, l) -> new Result[] {o, l})
                .thenCompose(read -> {
                    byte[] epoch = read[0].getValue(HBaseSchema.OWNER, HBaseSchema.EPOCH);
                    if (epoch == null || Bytes.toLong(epoch) != fence) {
                        throw fenced(coupleId, fence, "the row was claimed again before this archive move");
                    }
                    ArchiveMark mark = ArchiveMark.decode(read[0].getValue(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK),
                            bucketSize);
                    NavigableMap<Long, byte[]> first = cells(read[1]);
                    if (first.isEmpty()) {
                        return CompletableFuture.completedFuture(new Move(mark, -1, 0));
                    }
                    long bucket = mark.bucketOf(first.firstKey());
                    boolean fold = mark.archived(first.firstKey());
                    if (!fold && mark.lastOf(bucket) > archivableUpTo) {
                        return CompletableFuture.completedFuture(new Move(mark, -1, 0));
                    }
                    return move(coupleId, fence, mark, bucket, fold);
                }));
    }

    private CompletableFuture<Move> move(long coupleId, long fence, ArchiveMark mark, long bucket, boolean fold) {
        byte[] row = coupleRow(coupleId);
        Get get = new Get(row).addFamily(HBaseSchema.MESSAGES).setFilter(range(mark.firstOf(bucket), mark.lastOf(bucket)));
        return couples.get(get).thenCompose(result -> {
            NavigableMap<Long, byte[]> cells = cells(result);
            if (cells.isEmpty()) {
                // (A Delete naming no cell would delete the whole row.)
                return CompletableFuture.completedFuture(new Move(mark, bucket, 0));
            }
            byte[] archiveRow = bucketRow(coupleId, bucket);
            Put put = new Put(archiveRow).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, Bytes.toBytes(fence));
            Delete delete = new Delete(row);
            cells.forEach((seq, value) -> {
                put.addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq), value);
                delete.addColumns(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq));
            });
            ArchiveMark after = fold ? mark : mark.after(bucket);
            return writeBucket(coupleId, fence, put, fold).thenCompose(ignored -> {
                List<Mutation> mutations = new ArrayList<>(List.of(delete));
                if (!after.equals(mark)) {
                    mutations.add(new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK, after.encode()));
                }
                return couples.checkAndMutate(CheckAndMutate.newBuilder(row)
                        .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(fence)).build(rowMutations(mutations)));
            }).thenApply(moved -> {
                if (!moved.isSuccess()) {
                    throw fenced(coupleId, fence, "the row was claimed again during this archive move");
                }
                return new Move(after, bucket, cells.size());
            });
        });
    }

    private static RowMutations rowMutations(List<Mutation> mutations) {
        try {
            return RowMutations.of(mutations);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes a bucket's archive row unless a newer owner wrote it: a new row only if it still does not
     * exist, an existing one only if its fence cell is at most {@code fence}. A row is never deleted while
     * its couple is open, so the two conditions together are one.
     */
    CompletableFuture<Void> writeBucket(long coupleId, long fence, Put put, boolean expectExisting) {
        CheckAndMutate create = CheckAndMutate.newBuilder(put.getRow())
                .ifNotExists(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE).build(put);
        // "fence >= the stored fence": HBase compares the given value to the stored one.
        CheckAndMutate overwrite = CheckAndMutate.newBuilder(put.getRow())
                .ifMatches(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, CompareOperator.GREATER_OR_EQUAL,
                        Bytes.toBytes(fence)).build(put);
        CheckAndMutate firstTry = expectExisting ? overwrite : create;
        CheckAndMutate secondTry = expectExisting ? create : overwrite;
        return archive.checkAndMutate(firstTry).thenCompose(first -> first.isSuccess()
                ? CompletableFuture.completedFuture(null)
                : archive.checkAndMutate(secondTry).thenAccept(second -> {
                    if (!second.isSuccess()) {
                        throw fenced(coupleId, fence, "a newer owner wrote archive row " + Bytes.toHex(put.getRow()));
                    }
                }));
    }

    private static FencedException fenced(long coupleId, long fence, String detail) {
        return new FencedException(coupleId, CoupleStore.shardEpochOf(fence), detail);
    }

    // ---- purge -------------------------------------------------------------------------------------

    /** Deletes every archive row of a couple (once it is closed: see {@link CoupleClosures#purge}). */
    CompletableFuture<Void> purge(long coupleId) {
        Scan scan = new Scan().setStartStopRowForPrefixScan(coupleRow(coupleId))
                .setFilter(new FilterList(new FirstKeyOnlyFilter(), new KeyOnlyFilter()));
        return archive.scanAll(scan).thenCompose(rows -> {
            List<Delete> deletes = new ArrayList<>(rows.size());
            rows.forEach(result -> deletes.add(new Delete(result.getRow())));
            return archive.deleteAll(deletes);
        });
    }
}
