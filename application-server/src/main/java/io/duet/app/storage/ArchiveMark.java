package io.duet.app.storage;

import java.util.Arrays;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * How far a couple's messages are archived ({@code o:r} in its row): every message up to {@link
 * #archivedUpTo()} lives in an archive row of {@link #bucketSize()} sequence numbers (bucket {@code b}
 * holds {@code b * size + 1 .. (b + 1) * size}), unless an edit of it waits in the couple row to be
 * folded in. The bucket size is fixed at a couple's first move, so a later change of the setting leaves
 * existing archives readable. Immutable.
 *
 * <p>Stored as the 8-byte mark and the 4-byte bucket size; a newer release may append fields. This one
 * reads the first 12 bytes and keeps the rest ({@link #newerFields()}) in every mark derived from it, so
 * writing the mark back keeps what it does not understand.
 */
public record ArchiveMark(long archivedUpTo, int bucketSize, byte[] newerFields) {
    private static final int KNOWN_BYTES = Long.BYTES + Integer.BYTES;
    private static final byte[] NONE = new byte[0];

    /** Nothing archived yet; the first move will use {@code bucketSize}. */
    public static ArchiveMark none(int bucketSize) {
        return new ArchiveMark(0, bucketSize);
    }

    public ArchiveMark {
        if (bucketSize < 1 || archivedUpTo < 0 || archivedUpTo % bucketSize != 0) {
            throw new IllegalArgumentException("archive mark: up to " + archivedUpTo + ", buckets of " + bucketSize);
        }
        newerFields = newerFields.length == 0 ? NONE : newerFields.clone();
    }

    /** A mark with no fields of a newer release. */
    public ArchiveMark(long archivedUpTo, int bucketSize) {
        this(archivedUpTo, bucketSize, NONE);
    }

    /**
     * The mark as stored (its first 12 bytes; any more are a newer release's, kept as they are), or {@link
     * #none} with {@code bucketSize} if the cell is absent.
     */
    public static ArchiveMark decode(byte[] value, int bucketSize) {
        if (value == null) {
            return none(bucketSize);
        }
        if (value.length < KNOWN_BYTES) {
            throw new IllegalStateException("unreadable archive mark of " + value.length + " bytes");
        }
        return new ArchiveMark(Bytes.toLong(value, 0), Bytes.toInt(value, Long.BYTES),
                Arrays.copyOfRange(value, KNOWN_BYTES, value.length));
    }

    /** The mark as stored, a newer release's fields after the ones this release knows. */
    public byte[] encode() {
        byte[] value = new byte[KNOWN_BYTES + newerFields.length];
        Bytes.putLong(value, 0, archivedUpTo);
        Bytes.putInt(value, Long.BYTES, bucketSize);
        System.arraycopy(newerFields, 0, value, KNOWN_BYTES, newerFields.length);
        return value;
    }

    /** The bytes after the fields this release knows, as a newer release stored them (a copy). */
    @Override
    public byte[] newerFields() {
        return newerFields.clone();
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
        return new ArchiveMark(Math.max(archivedUpTo, lastOf(bucket)), bucketSize, newerFields);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ArchiveMark mark && mark.archivedUpTo == archivedUpTo
                && mark.bucketSize == bucketSize && Arrays.equals(mark.newerFields, newerFields);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(archivedUpTo) + bucketSize) + Arrays.hashCode(newerFields);
    }

    @Override
    public String toString() {
        return "ArchiveMark[archivedUpTo=" + archivedUpTo + ", bucketSize=" + bucketSize
                + (newerFields.length == 0 ? "" : ", " + newerFields.length + " bytes of newer fields") + "]";
    }
}
