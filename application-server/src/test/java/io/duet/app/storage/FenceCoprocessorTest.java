package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.hadoop.hbase.DoNotRetryIOException;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.RetriesExhaustedException;
import org.apache.hadoop.hbase.client.Row;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

/** The client side of coprocessor fencing, against a table that records its batches and answers when told. */
class FenceCoprocessorTest {
    private static final byte[] EXPECTED = Bytes.add(Bytes.toBytes(1L << 20), Bytes.toBytes(5L));

    private final List<List<Row>> batches = new ArrayList<>();
    private final List<List<CompletableFuture<Object>>> answers = new ArrayList<>();
    private final AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> {
                if (!method.getName().equals("batch")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                @SuppressWarnings("unchecked")
                List<Row> batch = new ArrayList<>((List<Row>) args[0]);
                List<CompletableFuture<Object>> results = new ArrayList<>();
                batch.forEach(row -> results.add(new CompletableFuture<>()));
                batches.add(batch);
                answers.add(results);
                return results;
            });

    private static CheckAndMutate commit(String row) {
        byte[] key = Bytes.toBytes(row);
        return CheckAndMutate.newBuilder(key).ifEquals(HBaseSchema.OWNER, HBaseSchema.WRITER, EXPECTED)
                .build(new Put(key).addColumn(HBaseSchema.MESSAGES, Bytes.toBytes(6L), Bytes.toBytes("hi"))
                        .addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, Bytes.add(Bytes.toBytes(1L << 20), Bytes.toBytes(6L))));
    }

    @Test
    void aCommitBecomesItsPutCarryingTheExpectedWriterCell() {
        CheckAndMutate commit = commit("a");
        Put put = FenceCoprocessor.fencedPut(commit);

        assertThat(put).isSameAs(commit.getAction());
        assertThat(put.getAttribute(FenceCoprocessor.ATTRIBUTE)).isEqualTo(EXPECTED);
        assertThat(put.get(HBaseSchema.MESSAGES, Bytes.toBytes(6L))).hasSize(1);
    }

    @Test
    void onlyACommitsConditionCanBeCarried() {
        byte[] row = Bytes.toBytes("a");
        Put put = new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(1L));
        assertThatThrownBy(() -> FenceCoprocessor.fencedPut(CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.OWNER, HBaseSchema.EPOCH).build(put))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FenceCoprocessor.fencedPut(CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(1L)).build(put)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCoprocessorsRefusalIsToldApartFromOtherFailures() {
        IOException refused = new DoNotRetryIOException(FenceCoprocessor.FENCED + " row \\x00\\x01: the row's fence moved on");
        assertThat(FenceCoprocessor.isFenced(new CompletionException(new RetriesExhaustedException("multi", refused))))
                .isTrue();
        assertThat(FenceCoprocessor.isFenced(new CompletionException(new RetriesExhaustedException("multi",
                new DoNotRetryIOException("NoSuchColumnFamilyException"))))).isFalse();
        assertThat(FenceCoprocessor.isFenced(new IOException((String) null))).isFalse();
    }

    @Test
    void aBatchGivesEachCommitTheResultACheckAndMutateWould() {
        List<CompletableFuture<CheckAndMutateResult>> results = FenceCoprocessor.send(table,
                List.of(commit("a"), commit("b"), commit("c")));

        assertThat(batches).hasSize(1);
        assertThat(batches.get(0)).allSatisfy(row -> assertThat(row).isInstanceOf(Put.class));
        answers.get(0).get(0).complete(null);
        answers.get(0).get(1).completeExceptionally(new RetriesExhaustedException("multi",
                new DoNotRetryIOException(FenceCoprocessor.FENCED + " row b: the row's fence moved on")));
        answers.get(0).get(2).completeExceptionally(new IOException("region server gone"));

        assertThat(results.get(0).join().isSuccess()).isTrue();
        assertThat(results.get(1).join().isSuccess()).as("fenced: unsuccessful, as a failed condition").isFalse();
        assertThatThrownBy(() -> results.get(2).join()).hasRootCauseMessage("region server gone");
    }

    @Test
    void theBatcherSendsEvenALoneCommitAsAFencedPut() {
        CommitBatcher batcher = new CommitBatcher(table, 2, FenceMode.COPROCESSOR);
        CompletableFuture<CheckAndMutateResult> result = batcher.submit(commit("a"));

        assertThat(batches).hasSize(1);
        assertThat(((Put) batches.get(0).get(0)).getAttribute(FenceCoprocessor.ATTRIBUTE)).isEqualTo(EXPECTED);
        answers.get(0).get(0).complete(null);
        assertThat(result.join().isSuccess()).isTrue();
    }

    @Test
    void theCouplesTableLoadsTheCoprocessorOnlyInCoprocessorMode() {
        assertThat(FenceCoprocessor.installedOn(couples(new HBaseSchema("duet", 64, false, FenceMode.COPROCESSOR))))
                .isTrue();
        assertThat(couples(new HBaseSchema("duet", 64, false, FenceMode.COPROCESSOR)).getCoprocessorDescriptors().iterator().next()
                .getProperties()).containsEntry("duet.fence.family", "o").containsEntry("duet.fence.qualifier", "w");
        assertThat(FenceCoprocessor.installedOn(couples(new HBaseSchema("duet", 64, false)))).isFalse();
        new HBaseSchema("duet", 64, false, FenceMode.COPROCESSOR).tables().stream()
                .filter(spec -> !spec.descriptor.getTableName().equals(new HBaseSchema("duet", 64).couples()))
                .forEach(spec -> assertThat(FenceCoprocessor.installedOn(spec.descriptor)).isFalse());
    }

    @Test
    void aServerInCoprocessorModeRefusesACouplesTableWithoutIt() {
        TableDescriptor wanted = couples(new HBaseSchema("duet", 64, false, FenceMode.COPROCESSOR));
        TableDescriptor without = couples(new HBaseSchema("duet", 64, false));

        assertThatThrownBy(() -> SchemaBootstrap.requireCoprocessors(wanted, without))
                .isInstanceOf(SchemaMismatchException.class).hasMessageContaining(FenceCoprocessor.OBSERVER);
        SchemaBootstrap.requireCoprocessors(wanted, wanted);
        SchemaBootstrap.requireCoprocessors(without, wanted); // check-and-mutate works with or without it
    }

    @Test
    void theSettingNamesAMode() {
        assertThat(FenceMode.parse("coprocessor")).isEqualTo(FenceMode.COPROCESSOR);
        assertThat(FenceMode.parse(" Check-And-Mutate ")).isEqualTo(FenceMode.CHECK_AND_MUTATE);
        assertThatThrownBy(() -> FenceMode.parse("cp")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hbase.fence");
    }

    private static TableDescriptor couples(HBaseSchema schema) {
        return schema.tables().stream().filter(spec -> spec.descriptor.getTableName().equals(schema.couples()))
                .findFirst().orElseThrow().descriptor;
    }
}
