package io.duet.app;

import io.duet.app.cluster.ShardOwnership;
import io.duet.app.couple.CoupleRegistry;
import io.duet.process.admin.StatusSource;
import io.duet.protocol.cluster.ClusterStatus;
import io.duet.protocol.cluster.ClusterStatusReader;
import io.duet.protocol.cluster.ShardMapView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What an application server's status page shows of it; in-memory reads only, on the admin port's event loop. */
final class ApplicationStatus implements StatusSource {
    private final String instanceId;
    private final CoupleRegistry couples;
    private final ShardOwnership ownership;
    private final ClusterStatusReader cluster;

    ApplicationStatus(String instanceId, CoupleRegistry couples, ShardOwnership ownership, ClusterStatusReader cluster) {
        this.instanceId = instanceId;
        this.couples = couples;
        this.ownership = ownership;
        this.cluster = cluster;
    }

    @Override
    public Map<String, String> self() {
        Map<String, String> self = new LinkedHashMap<>();
        self.put("server", instanceId);
        self.put("role", "application server");
        self.put("couples loaded", Integer.toString(couples.loadedCount()));
        ShardMapView map = ownership.current().orElse(null);
        self.put("shard map epoch", map == null ? "none yet" : Long.toString(map.epoch()));
        if (map != null) {
            int owned = 0;
            for (int shard = 0; shard < map.shardCount(); shard++) {
                owned += map.ownerIdOf(shard).filter(instanceId::equals).isPresent() ? 1 : 0;
            }
            self.put("shards owned", Integer.toString(owned));
        }
        return self;
    }

    @Override
    public Optional<ClusterStatus> cluster() {
        return cluster.snapshot();
    }
}
