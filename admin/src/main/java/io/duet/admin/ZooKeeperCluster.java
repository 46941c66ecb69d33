package io.duet.admin;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The tool's ZooKeeper session with one cluster (in its namespace, {@link ClusterPaths#namespace}):
 * reads a {@link ClusterState}, and writes the operator requests. Unlike the servers' client it gives up
 * quickly: it connects within the given timeout, and a call that loses the connection fails after one
 * retry instead of waiting for ZooKeeper to come back.
 */
public final class ZooKeeperCluster implements AutoCloseable {
    private final CuratorFramework curator;
    private final String connectString;
    private final String cluster;

    private ZooKeeperCluster(CuratorFramework curator, String connectString, String cluster) {
        this.curator = curator;
        this.connectString = connectString;
        this.cluster = cluster;
    }

    /**
     * Connects to cluster {@code cluster} at {@code connectString}.
     *
     * @throws AdminException {@link AdminException#UNREACHABLE} when ZooKeeper does not answer within
     *     {@code timeout}; {@link AdminException#REFUSED} when it holds no such cluster
     */
    public static ZooKeeperCluster connect(String connectString, String cluster, Duration timeout) throws Exception {
        CuratorFramework curator;
        try {
            curator = CuratorFrameworkFactory.builder()
                    .connectString(connectString)
                    .namespace(ClusterPaths.namespace(cluster))
                    .sessionTimeoutMs((int) Math.max(10_000, 2 * timeout.toMillis()))
                    .connectionTimeoutMs((int) timeout.toMillis())
                    .retryPolicy(new RetryNTimes(1, 100))
                    .build();
            curator.start();
        } catch (IllegalArgumentException e) {
            throw AdminException.usage("--zookeeper: " + connectString + " (expected: HOST:PORT[,HOST:PORT...]): "
                    + e.getMessage());
        }
        boolean connected;
        try {
            connected = curator.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            curator.close();
            throw e;
        }
        if (!connected) {
            curator.close();
            throw AdminException.unreachable("cannot reach ZooKeeper at " + connectString + " within "
                    + DuetAdmin.describe(timeout), null);
        }
        ZooKeeperCluster zooKeeper = new ZooKeeperCluster(curator, connectString, cluster);
        try {
            zooKeeper.checkClusterExists();
        } catch (Exception e) {
            zooKeeper.close();
            throw e;
        }
        return zooKeeper;
    }

    String connectString() {
        return connectString;
    }

    private void checkClusterExists() throws Exception {
        if (curator.checkExists().forPath(ClusterPaths.SETTINGS) != null) {
            return;
        }
        String namespace = ClusterPaths.namespace(cluster);
        String parent = "/" + namespace.substring(0, namespace.lastIndexOf('/'));
        List<String> clusters;
        try {
            clusters = curator.usingNamespace(null).getChildren().forPath(parent);
        } catch (KeeperException.NoNodeException e) {
            clusters = List.of();
        }
        throw AdminException.refused("no cluster '" + cluster + "' in ZooKeeper at " + connectString
                + " (clusters there: " + (clusters.isEmpty() ? "none" : String.join(", ", clusters.stream().sorted()
                        .toArray(String[]::new))) + "; see --cluster)");
    }

    /** Everything the tool shows, read now. */
    public ClusterState read(Duration failureTimeout) throws Exception {
        ClusterState.Builder state = ClusterState.builder(cluster).failureTimeout(failureTimeout);
        shardMap().ifPresent(state::map);
        leader().ifPresent(state::leader);
        for (String id : children(ClusterPaths.MEMBERS)) {
            byte[] data = data(ClusterPaths.member(id), null);
            if (data != null) {
                try {
                    state.member(id, ThriftCodec.INTERNAL.decode(data, new AppServerInfo()));
                } catch (MalformedPayloadException e) {
                    state.member(id, new AppServerInfo().setServerId(id));
                }
            }
        }
        for (String id : children(ClusterPaths.HEARTBEATS)) {
            Stat stat = new Stat();
            byte[] data = data(ClusterPaths.heartbeat(id), stat);
            if (data != null) {
                ServerStatus status;
                try {
                    status = ThriftCodec.INTERNAL.decode(data, new ServerStatus());
                } catch (MalformedPayloadException e) {
                    status = null; // A server from before statuses: alive, but says nothing more.
                }
                state.heartbeat(id, stat.getMtime(), status);
            }
        }
        children(ClusterPaths.DRAINS).forEach(state::drained);
        for (String shard : children(ClusterPaths.MOVES)) {
            byte[] data = data(ClusterPaths.MOVES + '/' + shard, null);
            if (data != null && shard.matches("\\d{1,9}")) {
                state.pendingMove(Integer.parseInt(shard), new String(data, StandardCharsets.UTF_8));
            }
        }
        return state.build();
    }

    /** The published shard map, if any. */
    public Optional<ShardMapView> shardMap() throws Exception {
        byte[] data = data(ClusterPaths.SHARD_MAP, null);
        if (data == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ShardMapView.parse(data));
        } catch (MalformedPayloadException e) {
            throw AdminException.refused("the published shard map is unreadable: " + e.getMessage());
        }
    }

    /** The leader latch's current leader: the owner of the lowest-numbered latch node. */
    private Optional<String> leader() throws Exception {
        List<String> candidates = children(ClusterPaths.LEADER);
        candidates.sort(Comparator.comparing(node -> node.substring(node.lastIndexOf('-') + 1)));
        for (String node : candidates) {
            byte[] data = data(ClusterPaths.LEADER + '/' + node, null);
            if (data != null) {
                return Optional.of(new String(data, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    /** Requests that {@code serverName} be drained; false if it was already. */
    boolean drain(String serverName) throws Exception {
        try {
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.drain(serverName), new byte[0]);
            return true;
        } catch (KeeperException.NodeExistsException e) {
            return false;
        }
    }

    /** Lifts the drain of {@code serverName}; false if there was none. */
    boolean undrain(String serverName) throws Exception {
        try {
            curator.delete().forPath(ClusterPaths.drain(serverName));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        }
    }

    /** Requests that {@code shard} move to instance {@code target}, replacing a pending request for it. */
    void requestMove(int shard, String target) throws Exception {
        curator.create().orSetData().creatingParentsIfNeeded()
                .forPath(ClusterPaths.move(shard), target.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a request to move {@code shard} waits for the leader. */
    boolean movePending(int shard) throws Exception {
        return curator.checkExists().forPath(ClusterPaths.move(shard)) != null;
    }

    private List<String> children(String path) throws Exception {
        try {
            return new ArrayList<>(curator.getChildren().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return new ArrayList<>();
        }
    }

    /** The node's data, or null if it does not exist. */
    private byte[] data(String path, Stat stat) throws Exception {
        try {
            return stat == null ? curator.getData().forPath(path) : curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        curator.close();
    }
}
