package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HBaseSchemaTest {
    @Test
    void preSplitTablesStartWithUpToOneRegionPerShardAndSixteenByUser() {
        assertThat(splitsByTable(new HBaseSchema("duet", 64)).get("couples")).as("by default")
                .hasNumberOfRows(HBaseSchema.DEFAULT_COUPLES_REGIONS - 1);
        Map<String, byte[][]> splits = splitsByTable(new HBaseSchema("duet", 64, true, 64));

        assertThat(splits.get("couples")).hasNumberOfRows(63);
        assertThat(splits.get("couples")[0]).containsExactly(0, 1);
        assertThat(splits.get("couples")[62]).containsExactly(0, 63);
        assertThat(splits.get("archive")).as("a couple's buckets in its shard's region").isDeepEqualTo(splits.get("couples"));
        assertThat(splits.get("photos")).as("a couple's photo rows in its shard's region").isDeepEqualTo(splits.get("couples"));
        assertThat(splits.get("users")).hasNumberOfRows(15);
        assertThat(splits.get("sessions")).hasNumberOfRows(15);
        assertThat(splits.get("logins")).isNull();
        assertThat(splits.get("invites")).isNull();
    }

    @Test
    void withoutPreSplitEveryTableStartsAsOneRegion() {
        HBaseSchema schema = new HBaseSchema("duet", 64, false);

        assertThat(splitsByTable(schema)).hasSize(7).allSatisfy((table, splits) -> assertThat(splits).isNull());
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

    @Test
    void theCouplesTableMayStartWithFewerRegionsEachOfWholeShards() {
        Map<String, byte[][]> splits = splitsByTable(new HBaseSchema("duet", 64, true, 4));

        assertThat(splits.get("couples")).hasNumberOfRows(3);
        assertThat(splits.get("couples")[0]).containsExactly(0, 16);
        assertThat(splits.get("couples")[1]).containsExactly(0, 32);
        assertThat(splits.get("couples")[2]).containsExactly(0, 48);
        assertThat(splitsByTable(new HBaseSchema("duet", 64, true, 1)).get("couples")).isNull();
        assertThat(splitsByTable(new HBaseSchema("duet", 8, true, 64)).get("couples")).as("at most one per shard")
                .hasNumberOfRows(7);
        assertThat(splitsByTable(new HBaseSchema("duet", 300, true, 7)).get("couples")[6 - 1])
                .as("shard 257: two bytes").containsExactly(1, 1);
    }

    @Test
    void theCouplesAndPhotosTablesLoadHBasesMultiRowEndpoint() {
        HBaseSchema schema = new HBaseSchema("duet", 64);
        schema.tables().forEach(spec -> assertThat(spec.descriptor.hasCoprocessor(HBaseSchema.MULTI_ROW_ENDPOINT))
                .as(spec.descriptor.getTableName().getNameAsString())
                .isEqualTo(spec.descriptor.getTableName().equals(schema.couples())
                        || spec.descriptor.getTableName().equals(schema.photos())));
    }

    @Test
    void thePhotosTableSplitsOnlyBetweenCouples() {
        HBaseSchema schema = new HBaseSchema("duet", 64);
        org.apache.hadoop.hbase.client.TableDescriptor photos = schema.tables().stream()
                .filter(spec -> spec.descriptor.getTableName().equals(schema.photos())).findFirst().orElseThrow().descriptor;
        assertThat(photos.getRegionSplitPolicyClassName())
                .isEqualTo("org.apache.hadoop.hbase.regionserver.KeyPrefixRegionSplitPolicy");
        assertThat(photos.getValue(HBaseSchema.KEY_PREFIX_LENGTH)).isEqualTo("10");
        assertThat(PhotoRows.PREFIX_LENGTH).isEqualTo(HBaseSchema.coupleRow(0, 1).length);
    }

    private static Map<String, byte[][]> splitsByTable(HBaseSchema schema) {
        // A HashMap: Collectors.toMap refuses null values.
        Map<String, byte[][]> splits = new java.util.HashMap<>();
        schema.tables().forEach(spec -> splits.put(spec.descriptor.getTableName().getQualifierAsString(), spec.splits));
        return splits;
    }
}
