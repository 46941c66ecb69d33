package io.duet.admin.deploy;

import io.duet.admin.ClusterState;
import io.duet.admin.ZooKeeperCluster;
import io.duet.protocol.cluster.ShardMapView;
import java.time.Duration;
import java.util.Optional;

/** Where a rolling deploy reads the cluster's records: ZooKeeper ({@link #of}), or a unit test's fake. */
interface ClusterRecords {
    /** Everything the records say now; a server whose heartbeat lags by {@code failureTimeout} is suspected. */
    ClusterState read(Duration failureTimeout) throws Exception;

    /** The published shard map, if any. */
    Optional<ShardMapView> shardMap() throws Exception;

    static ClusterRecords of(ZooKeeperCluster zooKeeper) {
        return new ClusterRecords() {
            @Override
            public ClusterState read(Duration failureTimeout) throws Exception {
                return zooKeeper.read(failureTimeout);
            }

            @Override
            public Optional<ShardMapView> shardMap() throws Exception {
                return zooKeeper.shardMap();
            }
        };
    }
}
