package io.duet.bench;

import static io.duet.bench.FencedCommits.FENCE;
import static io.duet.bench.FencedCommits.OWNER;
import static io.duet.bench.FencedCommits.WRITER;
import static io.duet.bench.FencedCommits.writer;

import io.duet.bench.FencedCommits.Commit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Checks, against the real HBase, that the coprocessor fences what {@code checkAndMutate} fences, before
 * its speed is worth measuring: a stale write in a batch fails alone and the client can tell it was
 * fenced; two writes expecting the same fence in one batch cannot both pass; nor can concurrent batches
 * (HBase takes only shared row locks for them).
 */
final class FenceChecks {
    /** Rows well away from the benchmark's couples. */
    private static final long FIRST = 1_000_001;
    private static final int RACE_ROUNDS = 100;
    private static final int RACERS = 8;

    private final FencedCommits commits;
    private final AsyncTable<?> table;

    FenceChecks(FencedCommits commits, AsyncTable<?> table) {
        this.commits = commits;
        this.table = table;
    }

    /** Throws if any check fails; returns a line saying what was checked. */
    String run() throws Exception {
        long a = FIRST;
        long b = FIRST + 1;
        long c = FIRST + 2;
        for (long couple : new long[] {a, b, c}) {
            table.put(new Put(FencedCommits.row(couple)).addColumn(OWNER, WRITER, writer(FENCE, 0))).get(30, TimeUnit.SECONDS);
        }
        // A batch with one current and one stale write: only the stale one fails, as fenced.
        List<Boolean> mixed = send(List.of(commit(a, 0, 1), commit(b, 7, 1)));
        expect(mixed.equals(List.of(true, false)), "a batch of a current and a stale write gave " + mixed);
        expect(storedWriter(a) == 1 && storedWriter(b) == 0, "the rows moved wrongly after the mixed batch");
        // Two writes expecting the same fence in one batch: the first passes, the second is fenced.
        List<Boolean> twice = send(List.of(commit(a, 1, 2), commit(a, 1, 1)));
        expect(twice.equals(List.of(true, false)), "two writes expecting one fence in one batch gave " + twice);
        expect(storedWriter(a) == 3, "the row moved wrongly after the double write");
        // A write after the first, in the same batch, expecting what the first wrote: passes.
        List<Boolean> chained = send(List.of(commit(a, 3, 1), commit(a, 4, 2)));
        expect(chained.equals(List.of(true, true)), "two chained writes in one batch gave " + chained);
        // Concurrent batches racing for one row: exactly one wins each round.
        long seq = 0;
        for (int round = 0; round < RACE_ROUNDS; round++) {
            List<CompletableFuture<Boolean>> racers = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                racers.add(FencedCommits.batch(table, List.of(commit(c, seq, 1 + i))).get(0));
            }
            int won = 0;
            for (CompletableFuture<Boolean> racer : racers) {
                won += racer.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            expect(won == 1, "round " + round + ": " + won + " of " + RACERS + " concurrent writes expecting one fence passed");
            seq = storedWriter(c);
        }
        return "fence checks passed: a stale write in a batch fails alone as fenced; one fence cannot be used twice in a"
                + " batch; " + RACE_ROUNDS + " rounds of " + RACERS + " concurrent batches racing for one row had one winner each";
    }

    private Commit commit(long couple, long expectedSeq, int messages) {
        return new Commit(commits.commitPut(couple, expectedSeq, messages), writer(FENCE, expectedSeq));
    }

    private List<Boolean> send(List<Commit> batch) throws Exception {
        List<Boolean> outcomes = new ArrayList<>();
        for (CompletableFuture<Boolean> result : FencedCommits.batch(table, batch)) {
            outcomes.add(result.get(30, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    /** The last sequence of the row's writer cell (whose fence must be the benchmark's). */
    private long storedWriter(long couple) throws Exception {
        byte[] value = table.get(new Get(FencedCommits.row(couple)).addColumn(OWNER, WRITER)).get(30, TimeUnit.SECONDS)
                .getValue(OWNER, WRITER);
        expect(Bytes.toLong(value) == FENCE, "the writer cell's fence changed");
        return Bytes.toLong(value, Long.BYTES);
    }

    private static void expect(boolean condition, String failure) throws IOException {
        if (!condition) {
            throw new IOException("fence check failed: " + failure);
        }
    }
}
