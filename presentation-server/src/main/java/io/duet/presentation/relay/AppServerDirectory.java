package io.duet.presentation.relay;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application servers this presentation server keeps relay links to: every server of the shard map,
 * and every member of the cluster even before the map gives it shards. A server that joins is
 * connected while the leader is still deciding what to give it, so that the sessions it is handed do
 * not also wait for new connections. Every {@link #RETRY_INTERVAL} it opens again the links that closed
 * (a refused handshake, a dropped connection), so that {@link RelayHealth} sees them come back even while
 * no client asks for them.
 */
public final class AppServerDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppServerDirectory.class);
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(2);

    private final CuratorCache members;
    private final AppLinks links;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "duet-relay-retry");
        thread.setDaemon(true);
        return thread;
    });
    private volatile Map<String, AppServerInfo> inShardMap = Map.of();

    public AppServerDirectory(CuratorFramework curator, AppLinks links) {
        this.members = CuratorCache.build(curator, ClusterPaths.MEMBERS);
        this.links = links;
    }

    public void start() {
        members.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> refresh())
                .build());
        members.start();
        retries.scheduleWithFixedDelay(this::retry, RETRY_INTERVAL.toMillis(), RETRY_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void retry() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("Cannot reopen relay links", e);
        }
    }

    /** Called with every new shard map. */
    public void shardMapChanged(ShardMapView view) {
        inShardMap = view.servers();
        refresh();
    }

    private synchronized void refresh() {
        Map<String, AppServerInfo> wanted = new TreeMap<>(inShardMap);
        for (ChildData member : members.stream().toArray(ChildData[]::new)) {
            if (member.getPath().equals(ClusterPaths.MEMBERS) || member.getData() == null) {
                continue;
            }
            String id = member.getPath().substring(ClusterPaths.MEMBERS.length() + 1);
            try {
                wanted.putIfAbsent(id, ThriftCodec.INTERNAL.decode(member.getData(), new AppServerInfo()));
            } catch (MalformedPayloadException e) {
                LOG.warn("Ignoring unreadable member {}", id, e);
            }
        }
        links.serversChanged(wanted);
    }

    @Override
    public void close() {
        retries.shutdownNow();
        try {
            retries.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        members.close();
    }
}
