package io.duet.protocol.cluster;

import io.duet.protocol.thrift.MalformedPayloadException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the published shard map through a Curator cache: both tiers route and own shards by it.
 * Only newer maps (by epoch) are taken, so a late notification never rolls the view back; reads are
 * lock-free reads of an immutable view.
 */
public final class ShardMapWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMapWatcher.class);

    private final CuratorCache cache;
    private final List<Consumer<ShardMapView>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> afterEachWrite = new CopyOnWriteArrayList<>();
    private volatile ShardMapView current;
    /** The map node's version as of the newest write this watcher has finished with; -1 before the first. */
    private volatile int processedVersion = -1;

    /** @param curator a client in the cluster's namespace ({@link ClusterPaths#namespace}) */
    public ShardMapWatcher(CuratorFramework curator) {
        this.cache = CuratorCache.build(curator, ClusterPaths.SHARD_MAP, CuratorCache.Options.SINGLE_NODE_CACHE);
    }

    /** Called with every newer map, on the cache's listener thread. */
    public void addListener(Consumer<ShardMapView> listener) {
        listeners.add(listener);
    }

    /**
     * Runs {@code task} on the cache's listener thread each time {@link #processedVersion()} has changed: after
     * each write of the map node is dealt with (its listeners run), and when the node is deleted.
     */
    public void afterEachWrite(Runnable task) {
        afterEachWrite.add(task);
    }

    public void start() {
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> changed(node))
                .forDeletes(oldNode -> processed(-1))
                .build());
        cache.start();
    }

    private void changed(ChildData node) {
        try {
            ShardMapView view = ShardMapView.parse(node.getData());
            ShardMapView previous = current;
            if (previous != null && view.epoch() <= previous.epoch()) {
                return;
            }
            current = view;
            listeners.forEach(listener -> listener.accept(view));
        } catch (MalformedPayloadException e) {
            LOG.error("Ignoring an unreadable shard map", e);
        } finally {
            if (node.getStat() != null) {
                processed(node.getStat().getVersion());
            }
        }
    }

    private void processed(int version) {
        processedVersion = version;
        afterEachWrite.forEach(Runnable::run);
    }

    /**
     * The version (ZooKeeper's) of the map node as of the newest write this watcher has finished with: taken,
     * its listeners run, or ignored as older or unreadable; -1 before the first and once the node is deleted.
     * A server whose version lags the node's has not yet applied a map everyone else may be acting on.
     */
    public int processedVersion() {
        return processedVersion;
    }

    /** The newest map seen, if any has been published. */
    public Optional<ShardMapView> current() {
        return Optional.ofNullable(current);
    }

    @Override
    public void close() {
        cache.close();
    }
}
