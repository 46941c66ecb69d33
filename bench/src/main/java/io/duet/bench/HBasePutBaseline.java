package io.duet.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.NamespaceNotFoundException;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.AsyncBufferedMutator;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.RegionLocator;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The throughput baseline: raw puts through a buffered mutator to the same HBase, shaped like
 * Duet's messages (one row per couple, a cell per message, values of the same size), with no fence, no
 * condition and no read. What Duet's durable throughput is compared with in the same run.
 */
final class HBasePutBaseline implements AutoCloseable {
    private static final byte[] FAMILY = Bytes.toBytes("m");
    /** Puts sent and not yet answered, at most: about 5 MB of 250-byte puts. */
    private static final int MAX_IN_FLIGHT = 20_000;

    private final Connection connection;
    private final AsyncConnection asyncConnection;
    private final TableName table;

    private HBasePutBaseline(Connection connection, AsyncConnection asyncConnection, TableName table) {
        this.connection = connection;
        this.asyncConnection = asyncConnection;
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
        Connection connection = ConnectionFactory.createConnection(conf);
        TableName table = TableName.valueOf(namespace, "bench_puts");
        try (Admin admin = connection.getAdmin()) {
            try {
                admin.getNamespaceDescriptor(namespace);
            } catch (NamespaceNotFoundException e) {
                admin.createNamespace(NamespaceDescriptor.create(namespace).build());
            }
            if (!admin.tableExists(table)) {
                admin.createTable(TableDescriptorBuilder.newBuilder(table)
                        .setColumnFamily(ColumnFamilyDescriptorBuilder.of(FAMILY)).build());
            }
            awaitAssigned(admin, connection, table);
        }
        return new HBasePutBaseline(connection, ConnectionFactory.createAsyncConnection(conf).join(), table);
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
        try (AsyncBufferedMutator mutator = asyncConnection.getBufferedMutator(table)) {
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
     * the run that follows.
     */
    void truncate() throws IOException {
        try (Admin admin = connection.getAdmin()) {
            admin.disableTable(table);
            admin.truncateTable(table, false);
            awaitAssigned(admin, connection, table);
        }
    }

    /**
     * Waits until the table's region is open and located: puts sent before that are retried by the client
     * (logging "No location found") and would count HBase's region assignment against the baseline.
     */
    private static void awaitAssigned(Admin admin, Connection connection, TableName table) throws IOException {
        long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!admin.isTableAvailable(table)) {
            if (System.nanoTime() - giveUpAt > 0) {
                throw new IOException(table + " not available within 60 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("waiting for " + table);
            }
        }
        try (RegionLocator locator = connection.getRegionLocator(table)) {
            locator.getRegionLocation(Bytes.toBytes("c0"), true);
        }
    }

    @Override
    public void close() throws IOException {
        try (Admin admin = connection.getAdmin()) {
            if (admin.tableExists(table)) {
                admin.disableTable(table);
                admin.deleteTable(table);
            }
        } finally {
            asyncConnection.close();
            connection.close();
        }
    }
}
