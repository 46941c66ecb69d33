package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterPaths;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What operators asked of shard assignment ({@code bin/duet-admin}), as an input to {@link
 * ShardAssigner}: the servers to drain and the shards to move. The leader reads them from {@link
 * ClusterPaths#DRAINS} and {@link ClusterPaths#MOVES} before each publication. Immutable.
 *
 * <ul>
 *   <li><b>Drain.</b> A drained server stays a member, but is assigned no shards: its shards go to the
 *       others as if it had left (with the same minimal movement), and come back by the same rules once
 *       the drain is lifted. Drains name servers by {@code server.id} ({@link ClusterPaths#serverName}),
 *       so they outlive restarts. A drain that would leave no server to assign to is ignored.
 *   <li><b>Move.</b> Shard S to server X, as a swap so that loads and zone shares stay as they are: S goes
 *       to X, and the shard of X's that X has least affinity with (then the highest-numbered) goes to S's
 *       old owner, both at the new epoch. When X holds nothing, S just moves. A move to a server that is
 *       not live, or drained, or of a shard that does not exist, is ignored ({@link #invalidMove}).
 * </ul>
 */
public final class OperatorRequests {
    private static final OperatorRequests NONE = new OperatorRequests(Set.of(), Map.of());

    private final Set<String> drained;
    private final Map<Integer, String> moves;

    private OperatorRequests(Set<String> drained, Map<Integer, String> moves) {
        this.drained = drained;
        this.moves = moves;
    }

    /** No drains, no moves. */
    public static OperatorRequests none() {
        return NONE;
    }

    /**
     * @param drained the {@code server.id}s of the drained servers
     * @param moves shard to the instance id of the server it should move to
     */
    public static OperatorRequests of(Set<String> drained, Map<Integer, String> moves) {
        Objects.requireNonNull(drained, "drained");
        Objects.requireNonNull(moves, "moves");
        return new OperatorRequests(
                Collections.unmodifiableSet(new TreeSet<>(drained)),
                Collections.unmodifiableMap(new TreeMap<>(moves)));
    }

    /** The {@code server.id}s of drained servers, sorted. */
    public Set<String> drained() {
        return drained;
    }

    /** Requested moves, shard to target instance id, by shard. */
    public Map<Integer, String> moves() {
        return moves;
    }

    /** Whether the server with instance id {@code instanceId} is drained. */
    public boolean isDrained(String instanceId) {
        return drained.contains(ClusterPaths.serverName(instanceId));
    }

    /** The live servers that may be assigned shards: the undrained ones, or all when every one is drained. */
    public Map<String, AppServerInfo> assignable(Map<String, AppServerInfo> live) {
        Map<String, AppServerInfo> assignable = new TreeMap<>(live);
        assignable.keySet().removeIf(this::isDrained);
        return assignable.isEmpty() ? live : assignable;
    }

    /** Why moving {@code shard} to {@code target} over {@code live} servers cannot be done, if it cannot. */
    public Optional<String> invalidMove(int shard, String target, int shardCount, Map<String, AppServerInfo> live) {
        if (shard < 0 || shard >= shardCount) {
            return Optional.of("shard " + shard + " does not exist (expected: 0.." + (shardCount - 1) + ")");
        }
        if (!live.containsKey(target)) {
            return Optional.of(target + " is not a live server");
        }
        if (!assignable(live).containsKey(target)) {
            return Optional.of(target + " is drained");
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "OperatorRequests(drained=" + drained + ", moves=" + moves + ')';
    }
}
