package io.duet.app.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Increment;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Counters of log-in attempts per account and time window, shared by every application server: cells of
 * the {@code a} family of the email's row in {@code logins} (see {@link HBaseSchema}), changed by atomic
 * increments only, and dropped by the family's TTL two days after their last change.
 */
public final class LogInAttemptStore {
    private final AsyncTable<?> logins;

    public LogInAttemptStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.logins = connection.getTable(schema.logins(), callbacks);
    }

    /**
     * Atomically adds {@code delta} to the counter of {@code window}, in one round trip that also reads
     * the counter of {@code window - 1} (adding 0 to it).
     *
     * @param email the normalized email
     * @return the counters of {@code window - 1} and {@code window} after the add
     */
    public CompletableFuture<long[]> add(String email, long window, long delta) {
        Increment increment = new Increment(UserStore.utf8(email))
                .addColumn(HBaseSchema.LOG_IN_ATTEMPTS, Bytes.toBytes(window), delta)
                .addColumn(HBaseSchema.LOG_IN_ATTEMPTS, Bytes.toBytes(window - 1), 0);
        return logins.increment(increment)
                .thenApply(result -> new long[] {count(result, window - 1), count(result, window)});
    }

    private static long count(Result result, long window) {
        byte[] value = result.getValue(HBaseSchema.LOG_IN_ATTEMPTS, Bytes.toBytes(window));
        return value == null ? 0 : Bytes.toLong(value);
    }
}
