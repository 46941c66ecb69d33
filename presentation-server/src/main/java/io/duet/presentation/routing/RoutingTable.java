package io.duet.presentation.routing;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.relay.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** Where each principal's streams go, by the latest shard map. Lookups never block. */
public final class RoutingTable {
    private final ShardMapWatcher shardMap;
    private final AtomicInteger roundRobin = new AtomicInteger();

    public RoutingTable(ShardMapWatcher shardMap) {
        this.shardMap = shardMap;
    }

    public Optional<ShardMapView> current() {
        return shardMap.current();
    }

    /**
     * The application server for a principal's streams: the couple's owner, else the owner of the user's
     * shard, else (anonymous) any live server, in turn.
     */
    public Optional<AppServerInfo> route(Principal principal) {
        ShardMapView view = shardMap.current().orElse(null);
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

    /**
     * Like {@link #route(Principal)}, but an anonymous call goes to the server {@code sourceKey} (the
     * client's address) picks among the live ones, sorted by id: every presentation server sends one
     * address's sign-ups and log-ins to the same application server, whose per-address rate limits then
     * see all of them (while the servers stay the same).
     */
    public Optional<AppServerInfo> route(Principal principal, String sourceKey) {
        ShardMapView view = shardMap.current().orElse(null);
        if (principal != null || view == null || view.servers().isEmpty()) {
            return route(principal);
        }
        List<String> ids = new ArrayList<>(view.servers().keySet());
        java.util.Collections.sort(ids);
        return Optional.of(view.servers().get(ids.get(Math.floorMod(sourceKey.hashCode(), ids.size()))));
    }

    /** Every live application server, by instance id. */
    public Map<String, AppServerInfo> servers() {
        return shardMap.current().map(ShardMapView::servers).orElse(Map.of());
    }
}
