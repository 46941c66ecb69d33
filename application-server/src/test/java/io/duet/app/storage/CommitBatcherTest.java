package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;

/** Group commit across couples, against a table that records its requests and answers when told. */
class CommitBatcherTest {
    /** One request the table got: its writes and their pending results. */
    private static final class Request {
        final List<CheckAndMutate> writes;
        final List<CompletableFuture<CheckAndMutateResult>> results = new ArrayList<>();

        Request(List<CheckAndMutate> writes) {
            this.writes = writes;
            writes.forEach(write -> results.add(new CompletableFuture<>()));
        }

        void answer(boolean success) {
            results.forEach(result -> result.complete(new CheckAndMutateResult(success, null)));
        }

        List<String> rows() {
            return writes.stream().map(write -> Bytes.toString(write.getRow())).collect(Collectors.toList());
        }
    }

    private final List<Request> requests = new ArrayList<>();
    private final AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> {
                if (!method.getName().equals("checkAndMutate")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                if (args[0] instanceof CheckAndMutate) {
                    Request request = new Request(List.of((CheckAndMutate) args[0]));
                    requests.add(request);
                    return request.results.get(0);
                }
                @SuppressWarnings("unchecked")
                Request request = new Request(new ArrayList<>((List<CheckAndMutate>) args[0]));
                requests.add(request);
                return request.results;
            });

    private static CheckAndMutate write(String row) {
        byte[] key = Bytes.toBytes(row);
        return CheckAndMutate.newBuilder(key).ifNotExists(Bytes.toBytes("f"), Bytes.toBytes("q"))
                .build(new Put(key).addColumn(Bytes.toBytes("f"), Bytes.toBytes("q"), Bytes.toBytes(1L)));
    }

    @Test
    void aLoneWriteGoesAtOnceAndAlone() {
        CommitBatcher batcher = new CommitBatcher(table, 2);
        CompletableFuture<CheckAndMutateResult> result = batcher.submit(write("a"));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).rows()).containsExactly("a");
        requests.get(0).answer(true);
        assertThat(result.join().isSuccess()).isTrue();
    }

    @Test
    void writesThatComeWhileRequestsAreOutGoTogetherInTheNext() {
        CommitBatcher batcher = new CommitBatcher(table, 2);
        CompletableFuture<CheckAndMutateResult> a = batcher.submit(write("a"));
        CompletableFuture<CheckAndMutateResult> b = batcher.submit(write("b"));
        CompletableFuture<CheckAndMutateResult> c = batcher.submit(write("c"));
        CompletableFuture<CheckAndMutateResult> d = batcher.submit(write("d"));
        assertThat(requests).as("two out; c and d wait").hasSize(2);

        requests.get(1).answer(true);
        assertThat(b.join().isSuccess()).isTrue();
        assertThat(requests).hasSize(3);
        assertThat(requests.get(2).rows()).containsExactly("c", "d");

        // Each write keeps its own outcome.
        requests.get(2).results.get(0).complete(new CheckAndMutateResult(false, null));
        requests.get(2).results.get(1).completeExceptionally(new IllegalStateException("region moved"));
        assertThat(c.join().isSuccess()).isFalse();
        assertThat(d).isCompletedExceptionally();
        assertThat(a).isNotDone();

        requests.get(0).answer(true);
        assertThat(a.join().isSuccess()).isTrue();
        assertThat(requests).as("nothing waits").hasSize(3);
        assertThat(batcher.requests()).isEqualTo(3);
        assertThat(batcher.writes()).isEqualTo(4);

        batcher.submit(write("e"));
        assertThat(requests).as("both slots free again: at once").hasSize(4);
    }

    @Test
    void aRequestCarriesAtMostMaxBatchWrites() {
        CommitBatcher batcher = new CommitBatcher(table, 1);
        batcher.submit(write("first"));
        for (int i = 0; i < CommitBatcher.MAX_BATCH + 10; i++) {
            batcher.submit(write("w" + i));
        }
        requests.get(0).answer(true);
        assertThat(requests.get(1).writes).hasSize(CommitBatcher.MAX_BATCH);
        requests.get(1).answer(true);
        assertThat(requests.get(2).writes).hasSize(10);
        assertThat(requests.get(2).rows().get(9)).isEqualTo("w" + (CommitBatcher.MAX_BATCH + 9));
    }
}
