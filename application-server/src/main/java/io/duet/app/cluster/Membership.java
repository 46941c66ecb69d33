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
 * reassigns its shards at once instead of after a session timeout. A server that registers while it
 * warms up ({@link AppServerInfo#isWarmingUp()}) gets no shards until {@link #warmedUp()}.
 */
public final class Membership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final PersistentNode node;
    /** What the node says now; changed only under this object's lock. */
    private AppServerInfo info;

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
    public synchronized boolean reincarnate(long nowMillis) {
        try {
            AppServerInfo next = info.deepCopy().setStartedAtMillis(nowMillis);
            node.setData(ThriftCodec.INTERNAL.encode(next));
            info = next;
            LOG.info("Registered again as a new incarnation");
            return true;
        } catch (Exception e) {
            LOG.warn("Cannot register again, serving on as before (HBase fences what it missed): {}", e.toString());
            return false;
        }
    }

    /**
     * The warm-up is over: rewrites the record without {@link AppServerInfo#isWarmingUp()}, so that the
     * leader may give this server shards. Does nothing if the record does not say it warms up.
     */
    public synchronized void warmedUp() throws Exception {
        if (!info.isWarmingUp()) {
            return;
        }
        AppServerInfo next = info.deepCopy();
        next.unsetWarmingUp();
        node.setData(ThriftCodec.INTERNAL.encode(next));
        info = next;
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
