package io.duet.app.cluster;

import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.ShardMapWatcher;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which shards this server owns, and with which epochs, as the published shard map says; and whether it
 * may write at all. Losing the ZooKeeper connection means no longer knowing whether someone else has
 * taken over: on SUSPENDED writes stop, on LOST every shard is dropped (the same rule as Curator's
 * {@code LeaderLatch}). HBase fencing catches whatever slips through.
 */
public final class ShardOwnership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardOwnership.class);

    private final String instanceId;
    private final CuratorFramework curator;
    private final ShardMapWatcher shardMap;
    private final List<Consumer<ShardMapView>> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener connectionListener = this::connectionChanged;
    private volatile boolean connected = true;

    public ShardOwnership(CuratorFramework curator, String instanceId) {
        this.curator = curator;
        this.instanceId = instanceId;
        this.shardMap = new ShardMapWatcher(curator);
    }

    /** Called with every new map, and with the last map again when the session is lost. */
    public void addListener(Consumer<ShardMapView> listener) {
        listeners.add(listener);
    }

    public void start() {
        shardMap.addListener(view -> {
            LOG.info("Shard map epoch {}: this server ({}) owns {} of {} shards", view.epoch(), instanceId,
                    ownedCount(view), view.shardCount());
            listeners.forEach(listener -> listener.accept(view));
        });
        curator.getConnectionStateListenable().addListener(connectionListener);
        shardMap.start();
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        switch (state) {
            case SUSPENDED:
                LOG.warn("ZooKeeper connection suspended: writes stop until it is back");
                connected = false;
                break;
            case LOST:
                LOG.warn("ZooKeeper session lost: dropping every shard");
                connected = false;
                shardMap.current().ifPresent(last -> listeners.forEach(listener -> listener.accept(last)));
                break;
            case RECONNECTED:
            case CONNECTED:
                LOG.info("ZooKeeper connection {}", state);
                connected = true;
                break;
            default:
                break;
        }
    }

    private long ownedCount(ShardMapView view) {
        long owned = 0;
        for (int shard = 0; shard < view.shardCount(); shard++) {
            if (view.ownerIdOf(shard).filter(instanceId::equals).isPresent()) {
                owned++;
            }
        }
        return owned;
    }

    public Optional<ShardMapView> current() {
        return shardMap.current();
    }

    /** The epoch with which this server owns {@code shard}, if it does and may write. */
    public OptionalLong epochIfOwned(int shard) {
        ShardMapView view = shardMap.current().orElse(null);
        if (!connected || view == null || !view.ownerIdOf(shard).filter(instanceId::equals).isPresent()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(view.epochOf(shard));
    }

    /** True while this server owns {@code shard} at exactly {@code epoch} and its session is healthy. */
    public boolean canWrite(int shard, long epoch) {
        OptionalLong owned = epochIfOwned(shard);
        return owned.isPresent() && owned.getAsLong() == epoch;
    }

    public int shardOf(long id) {
        return shardMap.current().orElseThrow(() -> new IllegalStateException("no shard map yet")).shardOf(id);
    }

    @Override
    public void close() {
        curator.getConnectionStateListenable().removeListener(connectionListener);
        shardMap.close();
    }
}
