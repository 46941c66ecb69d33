package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The modification times of the heartbeat nodes (see {@link Heartbeat}) of every server but, optionally, this
 * one, as the {@link FailureDetector} needs them: one-shot watches on the folder's children and on each
 * node, re-armed by reading the node's stat, not its data. Every renewal of every server used to wake every
 * server, this one included, and to cost ZooKeeper one read of the node's status per server; now a renewal
 * wakes only the other servers (this server learns its own node's time from the renewal's acknowledgement):
 * in a cluster of two, a renewal costs ZooKeeper a write, one read and one notification instead of a write,
 * two reads and two notifications (BENCHMARKS.md section 1, "Idle cluster CPU").
 *
 * <p>Answers come in the order ZooKeeper sent them, but a node's stat may be read twice at once (after a
 * listing and after its own watch fired), so the newer of two stats is the one ZooKeeper wrote later ({@link
 * #newer}). After a reconnection (watches are lost with an expired session) everything is read again.
 */
final class HeartbeatTimes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatTimes.class);

    private final CuratorFramework curator;
    /** The node not followed (its server knows its own time), or null to follow every node. */
    private final String skippedId;
    private final Map<String, Stat> stats = new ConcurrentHashMap<>();
    /** The ids whose node has a watch armed (or being armed). */
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final Watcher childrenWatcher = this::childrenChanged;
    private final Watcher nodeWatcher = this::nodeChanged;
    private final ConnectionStateListener reconnections = this::connectionChanged;
    private volatile boolean closed;

    /** @param skippedId the server whose node is not followed, or null to follow every node */
    HeartbeatTimes(CuratorFramework curator, String skippedId) {
        this.curator = curator;
        this.skippedId = skippedId;
    }

    /** Reads every node once (blocking, at start-up) and follows them from then on. */
    void start() throws Exception {
        try {
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.HEARTBEATS);
        } catch (KeeperException.NodeExistsException e) {
            // The usual case: some server's heartbeat made it.
        }
        curator.getConnectionStateListenable().addListener(reconnections);
        List<String> ids = curator.getChildren().usingWatcher(childrenWatcher).forPath(ClusterPaths.HEARTBEATS);
        for (String id : ids) {
            if (!id.equals(skippedId) && watched.add(id)) {
                update(id, curator.checkExists().usingWatcher(nodeWatcher).forPath(ClusterPaths.heartbeat(id)));
            }
        }
    }

    /** The modification time (ZooKeeper's clock) of {@code serverId}'s heartbeat node, if it has one. */
    OptionalLong mtime(String serverId) {
        Stat stat = stats.get(serverId);
        return stat == null ? OptionalLong.empty() : OptionalLong.of(stat.getMtime());
    }

    /** The newest modification time of the nodes followed; 0 if there are none. */
    long newestMillis() {
        return stats.values().stream().mapToLong(Stat::getMtime).max().orElse(0);
    }

    /**
     * Whether {@code candidate} is a later state of a node than {@code current} (null: none known): ZooKeeper
     * numbers its writes, and a node made again after it was deleted has a later one too.
     */
    static boolean newer(Stat candidate, Stat current) {
        return current == null || candidate.getMzxid() > current.getMzxid();
    }

    private void update(String id, Stat stat) {
        if (stat == null) {
            stats.remove(id);
            watched.remove(id);
            return;
        }
        stats.merge(id, stat, (current, candidate) -> newer(candidate, current) ? candidate : current);
    }

    private void childrenChanged(WatchedEvent event) {
        if (!closed && event.getType() != Watcher.Event.EventType.None) {
            list();
        }
    }

    private void nodeChanged(WatchedEvent event) {
        if (closed || event.getType() == Watcher.Event.EventType.None || event.getPath() == null) {
            return;
        }
        String id = ZKPaths.getNodeFromPath(event.getPath());
        if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            // The listing's watch sees it made again.
            stats.remove(id);
            watched.remove(id);
            return;
        }
        read(id);
    }

    /** Lists the nodes (re-arming the listing's watch) and starts following those not followed yet. */
    private void list() {
        try {
            curator.getChildren().usingWatcher(childrenWatcher).inBackground(this::listed).forPath(ClusterPaths.HEARTBEATS);
        } catch (Exception e) {
            LOG.warn("Heartbeats not listed: {}", e.toString());
        }
    }

    private void listed(CuratorFramework client, CuratorEvent event) {
        if (closed) {
            return;
        }
        if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
            // The listing's watch may not be armed: a server that joins later would not be followed. ZooKeeper
            // refuses a read only when the connection is in trouble, and the reconnection lists everything again.
            LOG.warn("Heartbeats not listed ({}); following them again once ZooKeeper is reconnected",
                    KeeperException.Code.get(event.getResultCode()));
            return;
        }
        List<String> ids = event.getChildren();
        stats.keySet().retainAll(ids);
        watched.retainAll(ids);
        for (String id : ids) {
            if (!id.equals(skippedId) && watched.add(id)) {
                read(id);
            }
        }
    }

    /** Reads {@code id}'s node's stat, re-arming its watch. */
    private void read(String id) {
        try {
            curator.checkExists().usingWatcher(nodeWatcher)
                    .inBackground((client, event) -> {
                        if (closed) {
                            return;
                        }
                        if (event.getResultCode() == KeeperException.Code.OK.intValue()
                                || event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                            update(id, event.getStat());
                        } else {
                            // Its watch may not be armed: drop it, so that the next listing (on any change of the
                            // folder, or after the reconnection) follows the node again.
                            LOG.warn("Heartbeat of {} not read ({})", id, KeeperException.Code.get(event.getResultCode()));
                            watched.remove(id);
                        }
                    }).forPath(ClusterPaths.heartbeat(id));
        } catch (Exception e) {
            LOG.warn("Heartbeat of {} not read: {}", id, e.toString());
            watched.remove(id);
        }
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED && !closed) {
            // The session may be a new one, without this view's watches: arm them all again.
            watched.clear();
            list();
        }
    }

    @Override
    public void close() {
        closed = true;
        curator.getConnectionStateListenable().removeListener(reconnections);
    }
}
