package io.duet.app.storage;

import org.apache.hadoop.hbase.util.Bytes;

/**
 * How far a couple's messages are archived ({@code o:r} in its row): every message up to {@link
 * #archivedUpTo()} lives in an archive row of {@link #bucketSize()} sequence numbers (bucket {@code b}
 * holds {@code b * size + 1 .. (b + 1) * size}), unless an edit of it waits in the couple row to be
 * folded in. The bucket size is fixed at a couple's first move, so a later change of the setting leaves
 * existing archives readable. Immutable.
 */
public record ArchiveMark(long archivedUpTo, int bucketSize) {
    /** Nothing archived yet; the first move will use {@code bucketSize}. */
    public static ArchiveMark none(int bucketSize) {
        return new ArchiveMark(0, bucketSize);
    }

    public ArchiveMark {
        if (bucketSize < 1 || archivedUpTo < 0 || archivedUpTo % bucketSize != 0) {
            throw new IllegalArgumentException("archive mark: up to " + archivedUpTo + ", buckets of " + bucketSize);
        }
    }

    /** The mark as stored, or {@link #none} with {@code bucketSize} if the cell is absent. */
    public static ArchiveMark decode(byte[] value, int bucketSize) {
        if (value == null) {
            return none(bucketSize);
        }
        if (value.length != Long.BYTES + Integer.BYTES) {
            throw new IllegalStateException("unreadable archive mark of " + value.length + " bytes");
        }
        return new ArchiveMark(Bytes.toLong(value, 0), Bytes.toInt(value, Long.BYTES));
    }

    public byte[] encode() {
        byte[] value = new byte[Long.BYTES + Integer.BYTES];
        Bytes.putLong(value, 0, archivedUpTo);
        Bytes.putInt(value, Long.BYTES, bucketSize);
        return value;
    }

    public boolean archived(long seq) {
        return seq <= archivedUpTo;
    }

    public long bucketOf(long seq) {
        return (seq - 1) / bucketSize;
    }

    public long firstOf(long bucket) {
        return bucket * bucketSize + 1;
    }

    public long lastOf(long bucket) {
        return (bucket + 1) * bucketSize;
    }

    /** The mark once {@code bucket}, the next after this mark, is archived. */
    public ArchiveMark after(long bucket) {
        return new ArchiveMark(Math.max(archivedUpTo, lastOf(bucket)), bucketSize);
    }
}
