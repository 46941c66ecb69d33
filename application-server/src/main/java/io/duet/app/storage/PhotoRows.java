package io.duet.app.storage;

import java.util.Arrays;
import java.util.HexFormat;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The row keys of the photos table (see {@link HBaseSchema}): every row of a couple starts with its couple
 * row's key (10 bytes), then a marker byte, so a couple's rows sort together and the table's split policy
 * (a prefix of {@link #PREFIX_LENGTH} bytes) never puts them in two regions.
 *
 * <pre>
 * head   couple key + 0x00                                       fence and photo count
 * photo  couple key + 0x01 + photo id (16 bytes)                 the photo's StoredPhoto
 * index  couple key + 0x02 + (Long.MAX_VALUE - uploaded at) (8) + photo id (16)
 *                                                                 newest first, ties by id: a page is a scan from a key
 * </pre>
 */
public final class PhotoRows {
    /** The couple row key's length: the split policy's prefix. */
    public static final int PREFIX_LENGTH = 10;
    /** A photo id's bytes: 128 bits, 32 hexadecimal digits. */
    public static final int ID_BYTES = 16;
    static final byte HEAD = 0;
    static final byte PHOTO = 1;
    static final byte INDEX = 2;

    private PhotoRows() {
    }

    /** The couple's head row: its fence and photo count. */
    public static byte[] head(byte[] coupleRow) {
        return withMarker(coupleRow, HEAD, 0);
    }

    /** The row holding photo {@code photoId}'s metadata. */
    public static byte[] photo(byte[] coupleRow, String photoId) {
        byte[] row = withMarker(coupleRow, PHOTO, ID_BYTES);
        System.arraycopy(idBytes(photoId), 0, row, PREFIX_LENGTH + 1, ID_BYTES);
        return row;
    }

    /** The photo's index row: where it sorts among the couple's photos, newest first. */
    public static byte[] index(byte[] coupleRow, long uploadedAtMillis, String photoId) {
        byte[] row = withMarker(coupleRow, INDEX, Long.BYTES + ID_BYTES);
        Bytes.putLong(row, PREFIX_LENGTH + 1, Long.MAX_VALUE - uploadedAtMillis);
        System.arraycopy(idBytes(photoId), 0, row, PREFIX_LENGTH + 1 + Long.BYTES, ID_BYTES);
        return row;
    }

    /** Where the couple's index rows start: a scan from here lists from the newest. */
    public static byte[] indexStart(byte[] coupleRow) {
        return withMarker(coupleRow, INDEX, 0);
    }

    /** Just past the couple's last index row. */
    public static byte[] indexStop(byte[] coupleRow) {
        return withMarker(coupleRow, (byte) (INDEX + 1), 0);
    }

    /** The photo id an index row names. */
    public static String idOfIndex(byte[] indexRow) {
        int from = PREFIX_LENGTH + 1 + Long.BYTES;
        if (indexRow.length != from + ID_BYTES || indexRow[PREFIX_LENGTH] != INDEX) {
            throw new IllegalArgumentException("not a photo index row: " + Bytes.toStringBinary(indexRow));
        }
        return HexFormat.of().formatHex(indexRow, from, indexRow.length);
    }

    /** The photo id a photo row names. */
    public static String idOfPhoto(byte[] photoRow) {
        if (photoRow.length != PREFIX_LENGTH + 1 + ID_BYTES || photoRow[PREFIX_LENGTH] != PHOTO) {
            throw new IllegalArgumentException("not a photo row: " + Bytes.toStringBinary(photoRow));
        }
        return HexFormat.of().formatHex(photoRow, PREFIX_LENGTH + 1, photoRow.length);
    }

    static byte[] idBytes(String photoId) {
        if (photoId == null || photoId.length() != 2 * ID_BYTES) {
            throw new IllegalArgumentException("photoId: " + photoId + " (expected: " + 2 * ID_BYTES + " hexadecimal digits)");
        }
        return HexFormat.of().parseHex(photoId);
    }

    private static byte[] withMarker(byte[] coupleRow, byte marker, int extra) {
        if (coupleRow.length != PREFIX_LENGTH) {
            throw new IllegalArgumentException("coupleRow: " + coupleRow.length + " bytes (expected: " + PREFIX_LENGTH + ")");
        }
        byte[] row = Arrays.copyOf(coupleRow, PREFIX_LENGTH + 1 + extra);
        row[PREFIX_LENGTH] = marker;
        return row;
    }
}
