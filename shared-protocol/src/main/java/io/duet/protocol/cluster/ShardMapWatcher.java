package io.duet.protocol.cluster;

import io.duet.protocol.thrift.MalformedPayloadException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
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
    private volatile ShardMapView current;

    /** @param curator a client in the cluster's namespace ({@link ClusterPaths#namespace}) */
    public ShardMapWatcher(CuratorFramework curator) {
        this.cache = CuratorCache.build(curator, ClusterPaths.SHARD_MAP, CuratorCache.Options.SINGLE_NODE_CACHE);
    }

    /** Called with every newer map, on Curator's event thread. */
    public void addListener(Consumer<ShardMapView> listener) {
        listeners.add(listener);
    }

    public void start() {
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((oldNode, node) -> changed(node.getData()))
                .build());
        cache.start();
    }

    private void changed(byte[] data) {
        try {
            ShardMapView view = ShardMapView.parse(data);
            ShardMapView previous = current;
            if (previous != null && view.epoch() <= previous.epoch()) {
                return;
            }
            current = view;
            listeners.forEach(listener -> listener.accept(view));
        } catch (MalformedPayloadException e) {
            LOG.error("Ignoring an unreadable shard map", e);
        }
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
