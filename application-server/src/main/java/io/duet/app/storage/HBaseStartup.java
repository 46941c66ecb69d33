package io.duet.app.storage;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTableRegionLocator;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects a starting server to HBase and makes sure Duet's tables exist ({@link SchemaBootstrap}),
 * waiting for an HBase that is itself still starting: until it has registered in ZooKeeper the client
 * cannot connect, and until its master has initialized it cannot create tables. Every failed attempt is
 * retried after a short pause until the deadline ({@code hbase.start-timeout}); the last failure is then
 * what the server fails with. A server can therefore be started together with HBase (the local cluster
 * does) rather than after it.
 *
 * <p>This loop is around the HBase client's own retries, not a copy of them. The client retries each admin
 * call ({@code hbase.client-retries} times within {@code hbase.operation-timeout}, 15 s by default, see
 * {@link HBaseClientSettings}), which rides out a master that is busy for a moment. It does not retry making
 * the connection: while HBase has not yet written its cluster id to ZooKeeper, the attempt fails at once.
 * And it gives up on a master still initializing once the operation timeout has passed, which a starting
 * HBase can take longer than. Each attempt here is one connection and one schema check, with the client's
 * retries inside them.
 */
public final class HBaseStartup {
    private static final Logger LOG = LoggerFactory.getLogger(HBaseStartup.class);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(180);
    static final Duration RETRY_PAUSE = Duration.ofMillis(500);

    private HBaseStartup() {
    }

    /** A connection to the HBase of {@code conf}, with {@code schema}'s tables in place, within {@code timeout}. */
    public static AsyncConnection connect(Configuration conf, HBaseSchema schema, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        int attempt = 0;
        while (true) {
            attempt++;
            CompletableFuture<AsyncConnection> connecting = ConnectionFactory.createAsyncConnection(conf);
            try {
                AsyncConnection connection = connecting.get(remaining(deadline), TimeUnit.NANOSECONDS);
                SchemaBootstrap.ensure(connection.getAdmin(), schema).get(remaining(deadline), TimeUnit.NANOSECONDS);
                if (attempt > 1) {
                    LOG.info("HBase reached after {} attempts", attempt);
                }
                return connection;
            } catch (ExecutionException | TimeoutException e) {
                // Closed now if it was made, or whenever it is (after a timeout).
                connecting.thenAccept(HBaseStartup::closeQuietly);
                Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (System.nanoTime() + RETRY_PAUSE.toNanos() >= deadline) {
                    throw new IllegalStateException("HBase not reachable, or its tables not created, within "
                            + timeout.toSeconds() + " s (" + attempt + " attempts)", cause);
                }
                if (attempt == 1) {
                    LOG.info("Waiting for HBase ({}), retrying every {} ms for up to {} s", cause.toString(),
                            RETRY_PAUSE.toMillis(), timeout.toSeconds());
                } else {
                    LOG.debug("HBase attempt {} failed: {}", attempt, cause.toString());
                }
                Thread.sleep(RETRY_PAUSE.toMillis());
            }
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static void closeQuietly(AsyncConnection connection) {
        try {
            connection.close();
        } catch (java.io.IOException e) {
            LOG.debug("Closing a failed HBase connection: {}", e.toString());
        }
    }

    /**
     * Fills the HBase client's cache of region locations for every shard, so that the first couples
     * a server loads do not each wait for a lookup in hbase:meta; gives up after 30 s, logging it.
     */
    public static void cacheRegionLocations(AsyncConnection hbase, HBaseSchema schema) {
        AsyncTableRegionLocator locator = hbase.getRegionLocator(schema.couples());
        CompletableFuture<?>[] lookups = new CompletableFuture<?>[schema.shardCount()];
        for (int shard = 0; shard < schema.shardCount(); shard++) {
            lookups[shard] = locator.getRegionLocation(HBaseSchema.coupleRow(shard, 0));
        }
        try {
            CompletableFuture.allOf(lookups).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Region locations not all cached at start-up: {}", e.toString());
        }
    }
}
