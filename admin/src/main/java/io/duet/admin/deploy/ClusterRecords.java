package io.duet.admin.deploy;

import io.duet.admin.ClusterState;
import io.duet.admin.ZooKeeperCluster;
import java.time.Duration;

/** Where a rolling deploy reads the cluster's records: ZooKeeper ({@link #of}), or a unit test's fake. */
interface ClusterRecords {
    /** Everything the records say now; a server whose heartbeat lags by {@code failureTimeout} is suspected. */
    ClusterState read(Duration failureTimeout) throws Exception;

    static ClusterRecords of(ZooKeeperCluster zooKeeper) {
        return zooKeeper::read;
    }
}
