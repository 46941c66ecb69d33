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
        assertThat(splits.get("users")).hasNumberOfRows(15);
        assertThat(splits.get("sessions")).hasNumberOfRows(15);
        assertThat(splits.get("logins")).isNull();
        assertThat(splits.get("invites")).isNull();
    }

    @Test
    void withoutPreSplitEveryTableStartsAsOneRegion() {
        HBaseSchema schema = new HBaseSchema("duet", 64, false);

        assertThat(splitsByTable(schema)).hasSize(5).allSatisfy((table, splits) -> assertThat(splits).isNull());
        assertThat(schema.shardCount()).isEqualTo(64);
    }

    private static Map<String, byte[][]> splitsByTable(HBaseSchema schema) {
        // A HashMap: Collectors.toMap refuses null values.
        Map<String, byte[][]> splits = new java.util.HashMap<>();
        schema.tables().forEach(spec -> splits.put(spec.descriptor.getTableName().getQualifierAsString(), spec.splits));
        return splits;
    }
}
