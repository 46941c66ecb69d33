package io.duet.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.AsyncBufferedMutator;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The throughput baseline: raw puts through a buffered mutator to the same HBase, shaped like
 * Duet's messages (one row per couple, a cell per message, values of the same size), with no fence, no
 * condition and no read. What Duet's durable throughput is compared with in the same run.
 *
 * <p>One asynchronous connection does everything (creating, truncating and locating the table, and the
 * puts), so that the connection that puts is the one whose region cache was warmed: after creating and
 * after truncating the table, it waits until that connection locates the table's new
 * region on a server. (A blocking connection's cache, warmed instead, left the puts' connection with the
 * region from before the truncate, or none: its first puts were retried, logging "No location found",
 * and the region's assignment counted against the baseline.)
 */
final class HBasePutBaseline implements AutoCloseable {
    private static final byte[] FAMILY = Bytes.toBytes("m");
    /** Every row the baseline writes ({@code c0}, {@code c1}, ...) is in the table's one region, as this one. */
    private static final byte[] FIRST_ROW = Bytes.toBytes("c0");
    /**
     * The table's one region never splits: at 100k puts/s a run writes past the size at which HBase splits a
     * young table's region, and the puts sent while the daughters were assigned were retried ("No location
     * found"), counting a split against the baseline. Duet's couples table is pre-split (hbase.couples-regions).
     */
    private static final String NO_SPLITS = "org.apache.hadoop.hbase.regionserver.DisabledRegionSplitPolicy";
    /** Puts sent and not yet answered, at most: about 5 MB of 250-byte puts. */
    private static final int MAX_IN_FLIGHT = 20_000;
    /** How long an admin call or the table's region may take to be ready. */
    private static final long READY_SECONDS = 60;

    private final AsyncConnection connection;
    private final TableName table;

    private HBasePutBaseline(AsyncConnection connection, TableName table) {
        this.connection = connection;
        this.table = table;
    }

    /**
     * Connects to the HBase of the local cluster in {@code clusterDir}, found through its first application
     * server's settings. Their three ZooKeeper keys are mapped to the HBase client's as the server's
     * {@code HBaseClientSettings} maps them; that class is not used because the load generator does not
     * depend on the server's code (it talks to Duet only as a client does). The server's call timeouts are
     * left out: the baseline keeps the HBase client's defaults, and fails if any put fails.
     */
    static HBasePutBaseline ofLocalCluster(Path clusterDir) throws IOException {
        Properties app = BenchMains.localClusterConf(clusterDir, "app-1.properties");
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", app.getProperty("hbase.zookeeper.quorum", "127.0.0.1"));
        conf.set("hbase.zookeeper.property.clientPort", app.getProperty("hbase.zookeeper.port", "2181"));
        conf.set("zookeeper.znode.parent", app.getProperty("hbase.zookeeper.znode-parent", "/hbase"));
        return connect(conf, app.getProperty("hbase.namespace", "duet"));
    }

    /** Connects to the HBase {@code conf} names; the baseline's table goes in {@code namespace}. */
    static HBasePutBaseline connect(Configuration conf, String namespace) throws IOException {
        AsyncConnection connection = await(ConnectionFactory.createAsyncConnection(conf), "connecting to HBase");
        TableName table = TableName.valueOf(namespace, "bench_puts");
        try {
            AsyncAdmin admin = connection.getAdmin();
            if (!await(admin.listNamespaces(), "listing namespaces").contains(namespace)) {
                await(admin.createNamespace(NamespaceDescriptor.create(namespace).build()), "creating " + namespace);
            }
            if (await(admin.tableExists(table), "looking for " + table)
                    && !NO_SPLITS.equals(await(admin.getDescriptor(table), "reading " + table).getRegionSplitPolicyClassName())) {
                // Left by an older run that made it splittable: the truncates keep a table's descriptor.
                await(admin.disableTable(table), "disabling " + table);
                await(admin.deleteTable(table), "deleting " + table);
            }
            if (!await(admin.tableExists(table), "looking for " + table)) {
                await(admin.createTable(TableDescriptorBuilder.newBuilder(table)
                        .setColumnFamily(ColumnFamilyDescriptorBuilder.of(FAMILY))
                        .setRegionSplitPolicyClassName(NO_SPLITS).build()), "creating " + table);
            }
            HBasePutBaseline baseline = new HBasePutBaseline(connection, table);
            baseline.awaitLocated();
            return baseline;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Puts as fast as a buffered mutator takes them for {@code seconds}, into {@code rows} rows, values of
     * {@code valueBytes}, with at most {@link #MAX_IN_FLIGHT} puts unanswered (the mutator itself would
     * buffer without bound); returns puts per second, counting until every put is answered.
     */
    double putsPerSecond(long seconds, int rows, int valueBytes) throws Exception {
        try {
            return put(seconds, rows, valueBytes);
        } finally {
            truncate();
        }
    }

    /** {@link #putsPerSecond} without emptying the table afterwards: call {@link #truncate()}. */
    double put(long seconds, int rows, int valueBytes) throws Exception {
        Random random = new Random(1);
        byte[] value = new byte[valueBytes];
        random.nextBytes(value);
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        AtomicLong failed = new AtomicLong();
        long count = 0;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        try (AsyncBufferedMutator mutator = connection.getBufferedMutator(table)) {
            while (System.nanoTime() < end) {
                if (!inFlight.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue;
                }
                long n = count++;
                mutator.mutate(new Put(Bytes.toBytes("c" + (n % rows))).addColumn(FAMILY, Bytes.toBytes(n), value))
                        .whenComplete((ok, failure) -> {
                            if (failure != null) {
                                failed.incrementAndGet();
                            }
                            inFlight.release();
                        });
            }
            mutator.flush();
            if (!inFlight.tryAcquire(MAX_IN_FLIGHT, 60, TimeUnit.SECONDS)) {
                throw new IOException("raw puts still unanswered a minute after the run");
            }
        }
        if (failed.get() > 0) {
            throw new IOException(failed.get() + " raw puts failed");
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Empties the table again, so that flushing and compacting what was put does not take HBase's CPU from
     * the run that follows; returns once the puts' connection has located the table's new region.
     */
    void truncate() throws IOException {
        AsyncAdmin admin = connection.getAdmin();
        await(admin.disableTable(table), "disabling " + table);
        await(admin.truncateTable(table, false), "truncating " + table);
        awaitLocated();
    }

    /**
     * Waits until the table is available and the puts' connection has located its region on a server,
     * reading hbase:meta again each time (a cached location may be of the region before a truncate).
     */
    private void awaitLocated() throws IOException {
        long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        IOException last = null;
        while (System.nanoTime() - giveUpAt < 0) {
            try {
                if (await(connection.getAdmin().isTableAvailable(table), "checking " + table)
                        && locate(true).getServerName() != null) {
                    return;
                }
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                last = e; // no location yet: the region is still being assigned
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for " + table);
            }
        }
        throw new IOException(table + " not located within " + READY_SECONDS + " s", last);
    }

    /** Where the puts' connection sends the table's puts: from its cache, or (reload) read from hbase:meta. */
    HRegionLocation locate(boolean reload) throws IOException {
        return await(connection.getRegionLocator(table).getRegionLocation(FIRST_ROW, reload), "locating " + table);
    }

    /** {@code call}'s result within {@link #READY_SECONDS}; its failure as the IOException HBase gave, if it was one. */
    private static <T> T await(CompletableFuture<T> call, String what) throws IOException {
        try {
            return call.get(READY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what);
        } catch (TimeoutException e) {
            throw new IOException(what + ": no answer within " + READY_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(what + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            AsyncAdmin admin = connection.getAdmin();
            if (await(admin.tableExists(table), "looking for " + table)) {
                await(admin.disableTable(table), "disabling " + table);
                await(admin.deleteTable(table), "deleting " + table);
            }
        } finally {
            connection.close();
        }
    }
}
