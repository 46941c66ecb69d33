package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

class PhotoRowsTest {
    private static final byte[] COUPLE = HBaseSchema.coupleRow(3, 42);
    private static final byte[] NEXT_COUPLE = HBaseSchema.coupleRow(3, 43);

    private static String id(int n) {
        return String.format("%032x", n);
    }

    @Test
    void everyRowOfACoupleStartsWithItsCoupleRowKeyAndSortsBeforeTheNextCouple() {
        List<byte[]> rows = List.of(PhotoRows.head(COUPLE), PhotoRows.photo(COUPLE, id(1)),
                PhotoRows.index(COUPLE, 0, id(1)), PhotoRows.index(COUPLE, Long.MAX_VALUE, "f".repeat(32)));
        for (byte[] row : rows) {
            assertThat(Bytes.startsWith(row, COUPLE)).isTrue();
            assertThat(Bytes.compareTo(row, NEXT_COUPLE)).isNegative();
            assertThat(Bytes.compareTo(row, COUPLE)).isPositive();
        }
        assertThat(PhotoRows.PREFIX_LENGTH).isEqualTo(COUPLE.length);
    }

    @Test
    void headThenPhotosThenIndexRowsInThatOrder() {
        byte[] head = PhotoRows.head(COUPLE);
        byte[] lastPhoto = PhotoRows.photo(COUPLE, "f".repeat(32));
        byte[] firstIndex = PhotoRows.index(COUPLE, Long.MAX_VALUE, id(0));
        assertThat(Bytes.compareTo(head, PhotoRows.photo(COUPLE, id(0)))).isNegative();
        assertThat(Bytes.compareTo(lastPhoto, PhotoRows.indexStart(COUPLE))).isNegative();
        assertThat(Bytes.compareTo(PhotoRows.indexStart(COUPLE), firstIndex)).isNegative();
        assertThat(Bytes.compareTo(PhotoRows.index(COUPLE, 0, "f".repeat(32)), PhotoRows.indexStop(COUPLE))).isNegative();
    }

    @Test
    void indexRowsSortNewestFirstThenById() {
        List<byte[]> rows = new ArrayList<>(List.of(PhotoRows.index(COUPLE, 1_000, id(2)),
                PhotoRows.index(COUPLE, 5_000, id(9)), PhotoRows.index(COUPLE, 1_000, id(1)),
                PhotoRows.index(COUPLE, 3_000, id(5))));
        rows.sort(Bytes::compareTo);
        List<String> ids = new ArrayList<>();
        rows.forEach(row -> ids.add(PhotoRows.idOfIndex(row)));
        assertThat(ids).containsExactly(id(9), id(5), id(1), id(2));
    }

    @Test
    void idsReadBackFromTheirRows() {
        String id = "0123456789abcdef0123456789abcdef";
        assertThat(PhotoRows.idOfPhoto(PhotoRows.photo(COUPLE, id))).isEqualTo(id);
        assertThat(PhotoRows.idOfIndex(PhotoRows.index(COUPLE, 77, id))).isEqualTo(id);
        assertThatThrownBy(() -> PhotoRows.idOfIndex(PhotoRows.photo(COUPLE, id))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PhotoRows.photo(COUPLE, "abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("photoId: abc");
        assertThatThrownBy(() -> PhotoRows.head(new byte[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("coupleRow: 3 bytes (expected: 10)");
    }
}
