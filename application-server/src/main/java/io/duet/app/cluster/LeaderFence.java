package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;

/**
 * How the shard-map leader proves, in ZooKeeper, that it still leads when it publishes (see {@link
 * ShardMapPublisher}): it leads while its latch node has the lowest sequence number under {@link
 * ClusterPaths#LEADER}; since sequence numbers only grow, once that holds it holds for as long as the node
 * exists, so a transaction that checks the node exists commits only while its server leads.
 */
final class LeaderFence {
    private LeaderFence() {
    }

    /**
     * Whether {@code ourNode} exists and has the lowest sequence number of the election's nodes, as
     * ZooKeeper says now: whether its server leads, whatever its latch has or has not noticed yet.
     */
    static boolean leads(CuratorFramework curator, String ourNode) throws Exception {
        String ours = ourNode.substring(ourNode.lastIndexOf('/') + 1);
        List<String> children = curator.getChildren().forPath(ClusterPaths.LEADER);
        return children.contains(ours) && children.stream().allMatch(child -> sequence(child) >= sequence(ours));
    }

    /** A sequential node's number: ZooKeeper appends it as the last ten digits of the name. */
    static long sequence(String child) {
        return Long.parseLong(child.substring(child.length() - 10));
    }

    /**
     * Runs a publication's transaction: its first operation checks the leader's latch node, its last
     * writes the map, and those between check the members' nodes.
     *
     * @throws Deposed if the latch node is gone
     * @throws StaleMembers if a member's node is gone or was written since it was read
     * @throws KeeperException if the map itself changed (a {@code BadVersion} or {@code NodeExists}), or
     *     ZooKeeper could not be reached
     */
    static void commit(CuratorFramework curator, List<CuratorOp> ops) throws Exception {
        try {
            curator.transaction().forOperations(ops);
        } catch (KeeperException e) {
            int failed = failedOperation(e.getResults());
            if (failed == 0) {
                throw new Deposed();
            }
            if (failed > 0 && failed < ops.size() - 1) {
                throw new StaleMembers();
            }
            throw e;
        }
    }

    /** The index of the operation that made a transaction fail; -1 if none is known. */
    private static int failedOperation(List<OpResult> results) {
        for (int i = 0; results != null && i < results.size(); i++) {
            if (results.get(i) instanceof OpResult.ErrorResult error
                    && error.getErr() != KeeperException.Code.OK.intValue()
                    && error.getErr() != KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()) {
                return i;
            }
        }
        return -1;
    }

    /** The transaction's leadership check failed: the publisher's latch node is gone. */
    static final class Deposed extends Exception {
        Deposed() {
            super("no longer the shard-map leader", null, false, false);
        }
    }

    /** The transaction's membership check failed: a member left or registered again after it was read. */
    static final class StaleMembers extends Exception {
        StaleMembers() {
            super("membership changed since it was read", null, false, false);
        }
    }
}
