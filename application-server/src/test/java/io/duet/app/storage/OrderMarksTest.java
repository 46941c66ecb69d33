package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.CoupleStore.OrderKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.KeyValue;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.filter.ColumnPrefixFilter;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

class OrderMarksTest {
    private static final byte[] ROW = {0, 1, 2};

    private static Cell cell(byte[] qualifier, byte[] value) {
        return new KeyValue(ROW, HBaseSchema.DEDUP, qualifier, 1L, value);
    }

    @Test
    void aStreamsMarkIsReadBackUnderItsKey() {
        OrderKey key = new OrderKey(42, "phone-7f3a");
        assertThat(OrderMarks.keyOf(key.qualifier())).isEqualTo(key);
        OrderKey unicode = new OrderKey(-3, "tablette-é");
        assertThat(OrderMarks.keyOf(unicode.qualifier())).isEqualTo(unicode);
    }

    @Test
    void onlyStreamMarksAreTaken() {
        OrderKey key = new OrderKey(42, "s");
        Result result = Result.create(List.of(
                cell(CoupleStore.dedupQualifier(42, "client-1"), Bytes.toBytes(5L)),
                cell(key.qualifier(), Bytes.toBytes(17L)),
                cell(new OrderKey(43, "bad value").qualifier(), new byte[] {1}),
                cell(new byte[] {CoupleStore.ORDER_PREFIX, 1}, Bytes.toBytes(1L)),
                cell("legacy-id".getBytes(StandardCharsets.UTF_8), Bytes.toBytes(3L))));

        assertThat(OrderMarks.parse(result)).containsExactlyEntriesOf(java.util.Map.of(key, 17L));
        assertThat(OrderMarks.parse(Result.EMPTY_RESULT)).isEmpty();
    }

    @Test
    void theReadIsBoundedToRecentStreamMarks() throws Exception {
        Get get = OrderMarks.recentMarks(ROW, 10_000_000L);
        assertThat(get.familySet()).containsExactly(HBaseSchema.DEDUP);
        assertThat(get.getFilter()).isInstanceOf(ColumnPrefixFilter.class);
        assertThat(((ColumnPrefixFilter) get.getFilter()).getPrefix()).containsExactly(CoupleStore.ORDER_PREFIX);
        assertThat(get.getTimeRange().getMin()).isEqualTo(10_000_000L - OrderMarks.RECENT.toMillis());
        assertThat(get.getMaxResultsPerColumnFamily()).isEqualTo(OrderMarks.MAX_STREAMS);
    }
}
