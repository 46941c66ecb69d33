package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ClusterSettings;
import io.duet.protocol.thrift.ThriftCodec;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings fixed when a cluster is created, above all its shard count. The first application server
 * to start writes them; every later one (and every restart) reads them back, whatever its own file says.
 * Nothing rewrites them, so no version can drop fields that another added.
 */
public final class ClusterSettingsStore {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSettingsStore.class);

    private ClusterSettingsStore() {
    }

    /** Called once at start-up, before anything serves; blocking is fine here. */
    public static ClusterSettings ensure(CuratorFramework curator, int configuredShardCount, long nowMillis)
            throws Exception {
        ClusterSettings proposed = new ClusterSettings(configuredShardCount, nowMillis);
        try {
            curator.create().creatingParentsIfNeeded().forPath(ClusterPaths.SETTINGS, ThriftCodec.INTERNAL.encode(proposed));
            LOG.info("Created the cluster with {} shards", configuredShardCount);
            return proposed;
        } catch (KeeperException.NodeExistsException e) {
            ClusterSettings existing = ThriftCodec.INTERNAL.decode(curator.getData().forPath(ClusterPaths.SETTINGS),
                    new ClusterSettings());
            if (existing.getShardCount() != configuredShardCount) {
                LOG.warn("cluster.shards is {} here, but the cluster was created with {}; using {}",
                        configuredShardCount, existing.getShardCount(), existing.getShardCount());
            }
            return existing;
        }
    }
}
