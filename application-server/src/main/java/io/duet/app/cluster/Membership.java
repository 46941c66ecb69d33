package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's membership: an ephemeral node holding its {@link AppServerInfo}, re-created by Curator
 * after a session loss. Closing it is how a server leaves the cluster on purpose, so that the leader
 * reassigns its shards at once instead of after a session timeout.
 */
public final class Membership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final PersistentNode node;
    private final AppServerInfo info;

    public Membership(CuratorFramework curator, String instanceId, AppServerInfo info) {
        this.info = info.deepCopy();
        this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, ClusterPaths.member(instanceId),
                ThriftCodec.INTERNAL.encode(info));
    }

    /**
     * Registers again as a new incarnation (a new {@code startedAtMillis}): after its session was lost
     * this server may have missed a handoff, so the leader must give it its shards at new epochs.
     * Returns whether the node now says so.
     */
    public boolean reincarnate(long nowMillis) {
        try {
            node.setData(ThriftCodec.INTERNAL.encode(info.deepCopy().setStartedAtMillis(nowMillis)));
            LOG.info("Registered again as a new incarnation");
            return true;
        } catch (Exception e) {
            LOG.warn("Cannot register again, serving on as before (HBase fences what it missed): {}", e.toString());
            return false;
        }
    }

    /** Registers, and waits until ZooKeeper has the node. */
    public void start(long timeoutMillis) throws InterruptedException {
        node.start();
        if (!node.waitForInitialCreate(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("membership node not created within " + timeoutMillis + " ms");
        }
    }

    @Override
    public void close() throws IOException {
        node.close();
    }
}
