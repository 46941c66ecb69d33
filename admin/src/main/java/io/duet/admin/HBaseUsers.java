package io.duet.admin;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.TableNotFoundException;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Reads which couple a user belongs to from the servers' {@code users} table. The layout is the
 * application server's ({@code io.duet.app.storage.HBaseSchema}, which this tool does not depend on):
 * row = the user id as 8 big-endian bytes, family {@code u}, the couple id in qualifier {@code k}, absent
 * while the user is unpaired. Every call is bounded by the timeout.
 */
final class HBaseUsers implements AutoCloseable {
    private static final byte[] USER = "u".getBytes(StandardCharsets.UTF_8);
    private static final byte[] COUPLE = "k".getBytes(StandardCharsets.UTF_8);

    private final AsyncConnection connection;
    private final TableName users;
    private final String quorum;
    private final Duration timeout;

    private HBaseUsers(AsyncConnection connection, TableName users, String quorum, Duration timeout) {
        this.connection = connection;
        this.users = users;
        this.quorum = quorum;
        this.timeout = timeout;
    }

    /**
     * @param quorum HBase's ZooKeeper, {@code HOST:PORT[,HOST:PORT...]}
     * @throws AdminException {@link AdminException#UNREACHABLE} when no connection is made within {@code timeout}
     */
    static HBaseUsers connect(String quorum, String znodeParent, String namespace, Duration timeout)
            throws AdminException, InterruptedException {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", quorum);
        conf.set("zookeeper.znode.parent", znodeParent);
        conf.setInt("zookeeper.session.timeout", (int) Math.max(10_000, timeout.toMillis()));
        conf.setInt("zookeeper.recovery.retry", 1);
        conf.setLong("hbase.client.operation.timeout", timeout.toMillis());
        conf.setLong("hbase.rpc.timeout", timeout.toMillis());
        conf.setInt("hbase.client.retries.number", 2);
        CompletableFuture<AsyncConnection> connecting = ConnectionFactory.createAsyncConnection(conf);
        try {
            return new HBaseUsers(connecting.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    TableName.valueOf(namespace, "users"), quorum, timeout);
        } catch (TimeoutException | ExecutionException e) {
            connecting.thenAccept(HBaseUsers::closeQuietly);
            throw AdminException.unreachable("cannot reach HBase (through ZooKeeper at " + quorum + ") within "
                    + DuetAdmin.describe(timeout), e);
        }
    }

    /**
     * The couple {@code userId} belongs to: empty if there is no such user, 0 if the user is unpaired.
     *
     * @throws AdminException {@link AdminException#UNREACHABLE} when HBase does not answer in time,
     *     {@link AdminException#REFUSED} when the table does not exist (a wrong {@code --hbase-namespace})
     */
    OptionalLong coupleOf(long userId) throws AdminException, InterruptedException {
        Result result;
        try {
            result = connection.getTable(users).get(new Get(Bytes.toBytes(userId)).addFamily(USER))
                    .get(2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TableNotFoundException) {
                throw AdminException.refused("no table " + users + " in HBase (see --hbase-namespace)");
            }
            throw AdminException.unreachable("cannot read user " + userId + " from HBase at " + quorum + ": "
                    + e.getCause(), e);
        } catch (TimeoutException e) {
            throw AdminException.unreachable("HBase (through ZooKeeper at " + quorum + ") did not answer within "
                    + DuetAdmin.describe(timeout.multipliedBy(2)), e);
        }
        if (result.isEmpty()) {
            return OptionalLong.empty();
        }
        byte[] couple = result.getValue(USER, COUPLE);
        return OptionalLong.of(couple == null ? 0 : Bytes.toLong(couple));
    }

    private static void closeQuietly(AsyncConnection connection) {
        try {
            connection.close();
        } catch (java.io.IOException e) {
            // Nothing to do: the tool is exiting.
        }
    }

    @Override
    public void close() {
        closeQuietly(connection);
    }
}
