package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HBaseSchemaTest {
    @Test
    void preSplitTablesStartWithOneRegionPerShardAndSixteenByUser() {
        Map<String, byte[][]> splits = splitsByTable(new HBaseSchema("duet", 64));

        assertThat(splits.get("couples")).hasNumberOfRows(63);
        assertThat(splits.get("couples")[0]).containsExactly(0, 1);
        assertThat(splits.get("couples")[62]).containsExactly(0, 63);
        assertThat(splits.get("archive")).as("a couple's buckets in its shard's region").isDeepEqualTo(splits.get("couples"));
        assertThat(splits.get("users")).hasNumberOfRows(15);
        assertThat(splits.get("sessions")).hasNumberOfRows(15);
        assertThat(splits.get("logins")).isNull();
        assertThat(splits.get("invites")).isNull();
    }

    @Test
    void withoutPreSplitEveryTableStartsAsOneRegion() {
        HBaseSchema schema = new HBaseSchema("duet", 64, false);

        assertThat(splitsByTable(schema)).hasSize(6).allSatisfy((table, splits) -> assertThat(splits).isNull());
        assertThat(schema.shardCount()).isEqualTo(64);
    }

    @Test
    void aCouplesArchiveRowsSortRightAfterItsRowAndInBucketOrder() {
        byte[] couple = HBaseSchema.coupleRow(3, 77);
        byte[] first = HBaseSchema.archiveRow(3, 77, 0);
        byte[] second = HBaseSchema.archiveRow(3, 77, 1);
        byte[] nextCouple = HBaseSchema.coupleRow(3, 78);
        assertThat(java.util.Arrays.copyOf(first, couple.length)).isEqualTo(couple);
        assertThat(java.util.Arrays.compareUnsigned(first, second)).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(second, nextCouple)).isNegative();
    }

    private static Map<String, byte[][]> splitsByTable(HBaseSchema schema) {
        // A HashMap: Collectors.toMap refuses null values.
        Map<String, byte[][]> splits = new java.util.HashMap<>();
        schema.tables().forEach(spec -> splits.put(spec.descriptor.getTableName().getQualifierAsString(), spec.splits));
        return splits;
    }
}
