package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.ServerName;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.AsyncTableRegionLocator;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.RegionInfoBuilder;
import org.apache.hadoop.hbase.client.ServiceCaller;
import org.apache.hadoop.hbase.exceptions.UnknownProtocolException;
import org.apache.hadoop.hbase.protobuf.ProtobufUtil;
import org.apache.hadoop.hbase.protobuf.generated.ClientProtos.Condition;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsRequest;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsResponse;
import org.apache.hadoop.hbase.shaded.com.google.protobuf.RpcCallback;
import org.apache.hadoop.hbase.shaded.com.google.protobuf.RpcChannel;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

/**
 * A group's commits split by region, against a table that records what it is sent and answers when told:
 * rows before "m" are in one region, the rest in another.
 */
class RegionCommitsTest {
    private static final TableName TABLE = TableName.valueOf("duet", "couples");
    private static final HRegionLocation LOW = location("", "m");
    private static final HRegionLocation HIGH = location("m", "");
    private static final byte[] F = Bytes.toBytes("o");
    private static final byte[] Q = Bytes.toBytes("w");

    /** One atomic call the table got: its request, and the answer to give. */
    private static final class Call {
        final MutateRowsRequest request;
        final CompletableFuture<MutateRowsResponse> response = new CompletableFuture<>();

        Call(MutateRowsRequest request) {
            this.request = request;
        }

        List<String> rows() {
            return request.getConditionList().stream().map(c -> c.getRow().toStringUtf8()).collect(Collectors.toList());
        }
    }

    /** One per-row request: its writes and their pending results. */
    private static final class PerRow {
        final List<CheckAndMutate> writes;
        final List<CompletableFuture<CheckAndMutateResult>> results = new ArrayList<>();

        PerRow(List<CheckAndMutate> writes) {
            this.writes = writes;
            writes.forEach(write -> results.add(new CompletableFuture<>()));
        }

        List<String> rows() {
            return writes.stream().map(write -> Bytes.toString(write.getRow())).collect(Collectors.toList());
        }
    }

    private final List<Call> calls = new ArrayList<>();
    private final List<PerRow> perRow = new ArrayList<>();

    private final AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "checkAndMutate": {
                        if (args[0] instanceof CheckAndMutate) {
                            PerRow request = new PerRow(List.of((CheckAndMutate) args[0]));
                            perRow.add(request);
                            return request.results.get(0);
                        }
                        @SuppressWarnings("unchecked")
                        PerRow request = new PerRow(new ArrayList<>((List<CheckAndMutate>) args[0]));
                        perRow.add(request);
                        return request.results;
                    }
                    case "coprocessorService":
                        return coprocessorService(args);
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });

    private final AsyncTableRegionLocator locator = (AsyncTableRegionLocator) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {AsyncTableRegionLocator.class}, (proxy, method, args) -> {
                if (!method.getName().equals("getRegionLocation")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                return CompletableFuture.completedFuture(Bytes.toString((byte[]) args[0]).compareTo("m") < 0 ? LOW : HIGH);
            });

    @SuppressWarnings("unchecked")
    private CompletableFuture<MutateRowsResponse> coprocessorService(Object[] args) {
        Function<RpcChannel, Object> stubMaker = (Function<RpcChannel, Object>) args[0];
        ServiceCaller<Object, MutateRowsResponse> caller = (ServiceCaller<Object, MutateRowsResponse>) args[1];
        CompletableFuture<MutateRowsResponse> result = new CompletableFuture<>();
        RpcChannel channel = (method, controller, request, prototype, done) -> {
            Call call = new Call((MutateRowsRequest) request);
            calls.add(call);
            call.response.whenComplete((response, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    done.run(response);
                }
            });
        };
        caller.call(stubMaker.apply(channel), null, (RpcCallback<MutateRowsResponse>) result::complete);
        return result;
    }

    private static HRegionLocation location(String start, String end) {
        return new HRegionLocation(RegionInfoBuilder.newBuilder(TABLE).setStartKey(Bytes.toBytes(start))
                .setEndKey(Bytes.toBytes(end)).build(), ServerName.valueOf("rs1", 16020, 1));
    }

    private static CheckAndMutate commit(String row, long expected) {
        byte[] key = Bytes.toBytes(row);
        return CheckAndMutate.newBuilder(key).ifEquals(F, Q, Bytes.toBytes(expected))
                .build(new Put(key).addColumn(F, Q, Bytes.toBytes(expected + 1)));
    }

    private static MutateRowsResponse processed(boolean processed) {
        return MutateRowsResponse.newBuilder().setProcessed(processed).build();
    }

    @Test
    void aRegionsCommitsGoAsOneAtomicCallWithAConditionEachAndSucceedTogether() throws Exception {
        RegionCommits commits = new RegionCommits(table, locator);
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(List.of(commit("a", 1), commit("b", 7)));

        assertThat(calls).hasSize(1);
        assertThat(perRow).isEmpty();
        assertThat(calls.get(0).rows()).containsExactly("a", "b");
        Condition second = calls.get(0).request.getCondition(1);
        assertThat(second.getFamily().toStringUtf8()).isEqualTo("o");
        assertThat(second.getQualifier().toStringUtf8()).isEqualTo("w");
        assertThat(ProtobufUtil.toComparator(second.getComparator()).getValue()).isEqualTo(Bytes.toBytes(7L));
        assertThat(Bytes.toString(ProtobufUtil.toMutation(calls.get(0).request.getMutationRequest(1)).getRow()))
                .isEqualTo("b");
        assertThat(results).allSatisfy(result -> assertThat(result).isNotDone());

        calls.get(0).response.complete(processed(true));
        assertThat(results).allSatisfy(result -> assertThat(result.join().isSuccess()).isTrue());
        assertThat(commits.atomicShares()).isEqualTo(1);
    }

    @Test
    void aShareWhoseConditionFailedGoesAgainOneCheckAndMutateEachWhichTellsTheFencedOneApart() {
        RegionCommits commits = new RegionCommits(table, locator);
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(List.of(commit("a", 1), commit("b", 1)));

        calls.get(0).response.complete(processed(false));
        assertThat(results).allSatisfy(result -> assertThat(result).as("nothing was written").isNotDone());
        assertThat(perRow).hasSize(1);
        assertThat(perRow.get(0).rows()).containsExactly("a", "b");

        perRow.get(0).results.get(0).complete(new CheckAndMutateResult(true, null));
        perRow.get(0).results.get(1).complete(new CheckAndMutateResult(false, null));
        assertThat(results.get(0).join().isSuccess()).isTrue();
        assertThat(results.get(1).join().isSuccess()).as("fenced, as checkAndMutate alone would have said").isFalse();
        assertThat(commits.sharesAgain()).isEqualTo(1);
    }

    @Test
    void eachRegionGetsItsOwnCallAndLoneCommitsGoTogetherOneCheckAndMutateEach() {
        RegionCommits commits = new RegionCommits(table, locator);
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(
                List.of(commit("n", 1), commit("a", 1), commit("p", 1), commit("b", 1), commit("x", 1)));

        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).rows()).containsExactly("n", "p", "x");
        assertThat(calls.get(1).rows()).containsExactly("a", "b");
        calls.get(0).response.complete(processed(true));
        calls.get(1).response.completeExceptionally(new IllegalStateException("region server gone"));
        assertThat(results.get(0).join().isSuccess()).isTrue();
        assertThat(results.get(2).join().isSuccess()).isTrue();
        assertThat(results.get(4).join().isSuccess()).isTrue();
        assertThat(results.get(1)).as("an outcome not known: not sent again").isCompletedExceptionally();
        assertThat(results.get(3)).isCompletedExceptionally();
        assertThat(perRow).isEmpty();

        List<CompletableFuture<CheckAndMutateResult>> mixed = commits.write(List.of(commit("a", 2), commit("n", 2)));
        assertThat(calls).as("one commit per region: no atomic call").hasSize(2);
        assertThat(perRow).hasSize(1);
        assertThat(perRow.get(0).rows()).containsExactly("a", "n");
        perRow.get(0).results.forEach(result -> result.complete(new CheckAndMutateResult(true, null)));
        assertThat(mixed).allSatisfy(result -> assertThat(result.join().isSuccess()).isTrue());
    }

    @Test
    void aRowNamedTwiceIsNeverWrittenAtomically() {
        RegionCommits commits = new RegionCommits(table, locator);
        commits.write(List.of(commit("a", 1), commit("a", 1), commit("b", 1)));

        assertThat(calls).as("both conditions would be read before either write").isEmpty();
        assertThat(perRow).hasSize(1);
        assertThat(perRow.get(0).rows()).containsExactly("a", "a", "b");
    }

    @Test
    void aTableWithoutTheEndpointIsWrittenOneCheckAndMutateEachFromThenOn() {
        RegionCommits commits = new RegionCommits(table, locator);
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(List.of(commit("a", 1), commit("b", 1)));
        calls.get(0).response.completeExceptionally(new RuntimeException(new UnknownProtocolException(
                "No registered coprocessor service found for MultiRowMutationService in region couples")));

        assertThat(perRow).hasSize(1);
        perRow.get(0).results.forEach(result -> result.complete(new CheckAndMutateResult(true, null)));
        assertThat(results).allSatisfy(result -> assertThat(result.join().isSuccess()).isTrue());

        commits.write(List.of(commit("c", 1), commit("d", 1)));
        assertThat(calls).hasSize(1);
        assertThat(perRow).hasSize(2);
        assertThat(perRow.get(1).rows()).containsExactly("c", "d");
    }

    @Test
    void aLoneCommitIsAPlainCheckAndMutate() {
        new RegionCommits(table, locator).write(List.of(commit("a", 1)));

        assertThat(calls).isEmpty();
        assertThat(perRow).hasSize(1);
    }

    /** A locator that answers for rows before "m" and never for the others. */
    private final AsyncTableRegionLocator halfSilent = (AsyncTableRegionLocator) Proxy.newProxyInstance(
            getClass().getClassLoader(), new Class<?>[] {AsyncTableRegionLocator.class}, (proxy, method, args) ->
                    Bytes.toString((byte[]) args[0]).compareTo("m") < 0 ? CompletableFuture.completedFuture(LOW)
                            : new CompletableFuture<HRegionLocation>());

    @Test
    void aGroupWhoseLocationsDoNotComeGoesOneCheckAndMutateEachAfterTheLocateTimeout() throws Exception {
        RegionCommits commits = new RegionCommits(table, halfSilent, Duration.ofMillis(100));
        long started = System.nanoTime();
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(List.of(commit("a", 1), commit("x", 1)));

        long deadline = started + TimeUnit.SECONDS.toNanos(5);
        while (perRow.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(100L, 5_000L);
        assertThat(calls).isEmpty();
        assertThat(perRow).hasSize(1);
        assertThat(perRow.get(0).rows()).containsExactly("a", "x");
        perRow.get(0).results.forEach(result -> result.complete(new CheckAndMutateResult(true, null)));
        assertThat(results).allSatisfy(result -> assertThat(result.join().isSuccess()).isTrue());
    }

    @Test
    void aGroupThatFailsToSplitByRegionFailsItsCommitsInsteadOfLeavingThemWaiting() {
        AsyncTableRegionLocator regionless = (AsyncTableRegionLocator) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AsyncTableRegionLocator.class},
                (proxy, method, args) -> CompletableFuture.completedFuture(new HRegionLocation(null, null)));
        RegionCommits commits = new RegionCommits(table, regionless);
        List<CompletableFuture<CheckAndMutateResult>> results = commits.write(List.of(commit("a", 1), commit("b", 1)));

        assertThat(results).allSatisfy(result -> assertThat(result).as("outcome unknown").isCompletedExceptionally());
        assertThat(calls).isEmpty();
        assertThat(perRow).isEmpty();
    }
}
