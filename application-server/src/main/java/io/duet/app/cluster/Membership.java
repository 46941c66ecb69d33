package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;

/**
 * This server's membership: an ephemeral node holding its {@link AppServerInfo}, re-created by Curator
 * after a session loss. Closing it is how a server leaves the cluster on purpose, so that the leader
 * reassigns its shards at once instead of after a session timeout.
 */
public final class Membership implements AutoCloseable {
    private final PersistentNode node;

    public Membership(CuratorFramework curator, String instanceId, AppServerInfo info) {
        this.node = new PersistentNode(curator, CreateMode.EPHEMERAL, false, ClusterPaths.member(instanceId),
                ThriftCodec.INTERNAL.encode(info));
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
