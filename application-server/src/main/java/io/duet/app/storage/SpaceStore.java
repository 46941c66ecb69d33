package io.duet.app.storage;

import io.duet.protocol.cluster.Shards;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.filter.ColumnRangeFilter;
import org.apache.hadoop.hbase.filter.FilterList;
import org.apache.hadoop.hbase.filter.SingleColumnValueFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The couple's space: memos, the calendar and its events, the nicknames and the partners' read marks, in
 * family {@code p} of the couple's row (see {@link HBaseSchema}). Read whole (it is bounded by the space
 * limits; the read marks are read with the couple's claim instead); written one cell at a time, each write
 * conditional on the row's epoch cell still holding the fence value its owner claimed, so a deposed
 * owner cannot write. Message commits do not change that cell, so space writes and message commits do not
 * fence each other out.
 */
public final class SpaceStore {
    private static final byte MEMO = 1;
    private static final byte CALENDAR = 2;
    private static final byte EVENT = 3;
    private static final byte READ_MARKS = 4;
    private static final byte PHOTO = 5;
    private static final byte NICKNAMES = 6;
    /** A photo whose caption must still follow its PHOTO message's edit (see {@link #captionQualifier}). */
    private static final byte CAPTION = 7;
    /** The couple's change log (a number well apart from the space's kinds, which may grow). */
    private static final byte CHANGES = 0x10;
    /** A photo id's bytes: 128 bits. */
    private static final int PHOTO_ID_BYTES = 16;

    private final AsyncTable<?> table;
    private final HBaseSchema schema;

    SpaceStore(AsyncTable<?> table, HBaseSchema schema) {
        this.table = table;
        this.schema = schema;
    }

    private byte[] row(long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    public static byte[] memoQualifier(long memoId) {
        return idQualifier(MEMO, memoId);
    }

    public static byte[] eventQualifier(long eventId) {
        return idQualifier(EVENT, eventId);
    }

    /**
     * Where an older release kept a photo's metadata ({@code photoId}: 32 hexadecimal digits); read only to
     * move it to the photos table ({@link PhotoMigration}).
     */
    public static byte[] photoQualifier(String photoId) {
        byte[] qualifier = new byte[1 + PHOTO_ID_BYTES];
        qualifier[0] = PHOTO;
        System.arraycopy(HexFormat.of().parseHex(photoId), 0, qualifier, 1, PHOTO_ID_BYTES);
        return qualifier;
    }

    /**
     * A photo's pending caption (0x07 + photo id (16 bytes) = the caption, UTF-8; empty: none): written in
     * the same atomic write as the edit of the photo's PHOTO message ({@link CoupleStore#rewriteMessage}),
     * cleared once the photo's record has the caption ({@link #clearCaption}). The owner applies the ones it
     * finds when it loads the space, so the photo and its message agree even when the photo's write failed.
     */
    public static byte[] captionQualifier(String photoId) {
        byte[] qualifier = photoQualifier(photoId);
        qualifier[0] = CAPTION;
        return qualifier;
    }

    public static byte[] calendarQualifier() {
        return new byte[] {CALENDAR};
    }

    /** What each partner calls the other ({@code StoredNicknames}). */
    public static byte[] nicknamesQualifier() {
        return new byte[] {NICKNAMES};
    }

    /** Both partners' read marks; loaded with the couple's claim (see {@link CoupleStore#claim}), not by {@link #load}. */
    public static byte[] readMarksQualifier() {
        return new byte[] {READ_MARKS};
    }

    /**
     * The couple's change log ({@code StoredChanges}): written with each edit or delete of a message ({@link
     * CoupleStore#rewriteMessage}), read with the couple's claim, not by {@link #load}.
     */
    public static byte[] changesQualifier() {
        return new byte[] {CHANGES};
    }

    private static byte[] idQualifier(byte kind, long id) {
        byte[] qualifier = new byte[1 + Long.BYTES];
        qualifier[0] = kind;
        Bytes.putLong(qualifier, 1, id);
        return qualifier;
    }

    /**
     * Every cell of the couple's space, one read; not the photos' cells an older release kept here (they
     * move to the photos table on their couple's first photo call: {@link PhotoMigration}).
     */
    public CompletableFuture<Cells> load(long coupleId) {
        byte[] photos = {PHOTO};
        byte[] afterPhotos = {PHOTO + 1};
        Get get = new Get(row(coupleId)).addFamily(HBaseSchema.SPACE).setFilter(new FilterList(
                FilterList.Operator.MUST_PASS_ONE, new ColumnRangeFilter(null, false, photos, false),
                new ColumnRangeFilter(afterPhotos, true, null, false)));
        return table.get(get).thenApply(result -> {
            Cells cells = new Cells();
            NavigableMap<byte[], byte[]> family = result.getFamilyMap(HBaseSchema.SPACE);
            if (family != null) {
                for (Map.Entry<byte[], byte[]> cell : family.entrySet()) {
                    byte[] qualifier = cell.getKey();
                    if (qualifier.length == 1 + Long.BYTES && qualifier[0] == MEMO) {
                        cells.memos.put(Bytes.toLong(qualifier, 1), cell.getValue());
                    } else if (qualifier.length == 1 + Long.BYTES && qualifier[0] == EVENT) {
                        cells.events.put(Bytes.toLong(qualifier, 1), cell.getValue());
                    } else if (qualifier.length == 1 && qualifier[0] == CALENDAR) {
                        cells.calendar = cell.getValue();
                    } else if (qualifier.length == 1 && qualifier[0] == NICKNAMES) {
                        cells.nicknames = cell.getValue();
                    } else if (qualifier.length == 1 + PHOTO_ID_BYTES && qualifier[0] == CAPTION) {
                        cells.captions.put(HexFormat.of().formatHex(qualifier, 1, qualifier.length),
                                new String(cell.getValue(), StandardCharsets.UTF_8));
                    }
                }
            }
            return cells;
        });
    }

    /**
     * Writes one space cell ({@code value} null: deletes it) if the row is still claimed with {@code fence};
     * fails with {@link FencedException} if it is not.
     */
    public CompletableFuture<Void> write(long coupleId, long fence, byte[] qualifier, byte[] value) {
        byte[] row = row(coupleId);
        CheckAndMutate.Builder condition = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(fence));
        CheckAndMutate mutation = value == null
                ? condition.build(new Delete(row).addColumns(HBaseSchema.SPACE, qualifier))
                : condition.build(new Put(row).addColumn(HBaseSchema.SPACE, qualifier, value));
        return table.checkAndMutate(mutation).thenAccept(result -> {
            if (!result.isSuccess()) {
                throw new FencedException(coupleId, CoupleStore.shardEpochOf(fence),
                        "the row was claimed again before this space write");
            }
        });
    }

    /**
     * Clears photo {@code photoId}'s pending caption if it is still {@code caption} (a newer edit's stays) and
     * the row is still claimed with {@code fence}; completes with whether it cleared it.
     *
     * <p>It reads the cell first and deletes the versions up to the one it read, not all versions up to now: a
     * delete marker stamped with the current millisecond would also hide a newer edit's pending caption written
     * within that millisecond, and that edit's photo would never be repaired if its own write failed. (A newer
     * edit written within the very millisecond of the cleared one's own write is still hidden: that takes the
     * photo's write, this read and the delete all within one millisecond.)
     */
    public CompletableFuture<Boolean> clearCaption(long coupleId, long fence, String photoId, String caption) {
        byte[] row = row(coupleId);
        byte[] qualifier = captionQualifier(photoId);
        byte[] expected = caption.getBytes(StandardCharsets.UTF_8);
        return table.get(new Get(row).addColumn(HBaseSchema.SPACE, qualifier)).thenCompose(read -> {
            Cell pending = read.getColumnLatestCell(HBaseSchema.SPACE, qualifier);
            if (pending == null || !CellUtil.matchingValue(pending, expected)) {
                return CompletableFuture.completedFuture(false);
            }
            SingleColumnValueFilter owner = new SingleColumnValueFilter(HBaseSchema.OWNER, HBaseSchema.EPOCH,
                    CompareOperator.EQUAL, Bytes.toBytes(fence));
            owner.setFilterIfMissing(true);
            SingleColumnValueFilter same = new SingleColumnValueFilter(HBaseSchema.SPACE, qualifier,
                    CompareOperator.EQUAL, expected);
            same.setFilterIfMissing(true);
            Delete delete = new Delete(row).addColumns(HBaseSchema.SPACE, qualifier, pending.getTimestamp());
            return table.checkAndMutate(CheckAndMutate.newBuilder(row).ifMatches(new FilterList(owner, same))
                    .build(delete)).thenApply(result -> result.isSuccess());
        });
    }

    /** The space's cells by kind, values as stored. */
    public static final class Cells {
        private final Map<Long, byte[]> memos = new LinkedHashMap<>();
        private final Map<Long, byte[]> events = new LinkedHashMap<>();
        private byte[] calendar;
        private byte[] nicknames;
        private final Map<String, String> captions = new LinkedHashMap<>();

        public Map<Long, byte[]> memos() {
            return memos;
        }

        public Map<Long, byte[]> events() {
            return events;
        }

        /** The calendar record, or null if never written. */
        public byte[] calendar() {
            return calendar;
        }

        /** Photos' pending captions by photo id ({@link #captionQualifier}). */
        public Map<String, String> captions() {
            return captions;
        }

        /** The nicknames record, or null if never written. */
        public byte[] nicknames() {
            return nicknames;
        }
    }
}
