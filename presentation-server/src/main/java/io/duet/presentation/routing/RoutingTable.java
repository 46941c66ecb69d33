package io.duet.presentation.routing;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest shard map, kept current by a Curator cache. Lookups are lock-free reads of an immutable
 * view, cheap enough for every stream an event loop opens.
 */
public final class RoutingTable implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);

    private final CuratorCache cache;
    private final List<Consumer<ShardMapView>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private volatile ShardMapView current;

    public RoutingTable(CuratorFramework curator) {
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
            LOG.info("Routing by shard map epoch {} over {}", view.epoch(), view.servers().keySet());
            listeners.forEach(listener -> listener.accept(view));
        } catch (MalformedPayloadException e) {
            LOG.error("Ignoring an unreadable shard map", e);
        }
    }

    public Optional<ShardMapView> current() {
        return Optional.ofNullable(current);
    }

    /**
     * The application server for a principal's streams: the couple's owner, else the owner of the user's
     * shard, else (anonymous) any live server.
     */
    public Optional<AppServerInfo> route(Principal principal) {
        ShardMapView view = current;
        if (view == null) {
            return Optional.empty();
        }
        if (principal == null) {
            List<AppServerInfo> servers = new ArrayList<>(view.servers().values());
            return servers.isEmpty() ? Optional.empty()
                    : Optional.of(servers.get(Math.floorMod(roundRobin.getAndIncrement(), servers.size())));
        }
        long key = principal.getCoupleId() != 0 ? principal.getCoupleId() : principal.getUserId();
        return view.ownerOf(view.shardOf(key));
    }

    /** Every live application server, by instance id. */
    public Map<String, AppServerInfo> servers() {
        ShardMapView view = current;
        return view == null ? Map.of() : view.servers();
    }

    @Override
    public void close() {
        cache.close();
    }
}
