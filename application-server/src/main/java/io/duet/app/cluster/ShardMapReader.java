package io.duet.app.cluster;

import io.duet.app.cluster.Reconfirmation.Outcome;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException.Code;

/**
 * Re-reads the shard map's epoch from ZooKeeper for {@link Reconfirmation}: a {@code sync} first, so that
 * the read sees every write the ensemble has acknowledged, then a read of the node. Non-blocking: both
 * run in the background and answer on ZooKeeper's event thread.
 */
final class ShardMapReader implements Reconfirmation.MapReader {
    private final CuratorFramework curator;

    ShardMapReader(CuratorFramework curator) {
        this.curator = curator;
    }

    @Override
    public void read(Consumer<Outcome> done) throws Exception {
        curator.sync().inBackground((client, synced) -> {
            Optional<Outcome> failed = afterSync(synced.getResultCode());
            if (failed.isPresent()) {
                done.accept(failed.get());
                return;
            }
            try {
                curator.getData().inBackground((c, event) -> done.accept(ofRead(event.getResultCode(), event.getData())))
                        .forPath(ClusterPaths.SHARD_MAP);
            } catch (Exception e) {
                done.accept(Outcome.failed(e.toString()));
            }
        }).forPath(ClusterPaths.SHARD_MAP);
    }

    /**
     * A failure when the sync did not succeed: a read after it might miss a newer map. A map that does not
     * exist yet syncs fine ({@code NONODE} is the read's to say).
     */
    static Optional<Outcome> afterSync(int resultCode) {
        if (resultCode == Code.OK.intValue() || resultCode == Code.NONODE.intValue()) {
            return Optional.empty();
        }
        return Optional.of(Outcome.failed("sync: " + Code.get(resultCode)));
    }

    /** What a read of the map node answered: its epoch, 0 when there is no map yet, or why it failed. */
    static Outcome ofRead(int resultCode, byte[] data) {
        if (resultCode == Code.NONODE.intValue()) {
            return Outcome.found(0);
        }
        if (resultCode != Code.OK.intValue()) {
            return Outcome.failed("read: " + Code.get(resultCode));
        }
        try {
            return Outcome.found(ShardMapView.parse(data).epoch());
        } catch (MalformedPayloadException e) {
            return Outcome.failed("unreadable shard map: " + e.getMessage());
        }
    }
}
