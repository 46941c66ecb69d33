package io.duet.admin;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The commands, each against one {@link ZooKeeperCluster}. The rules they check before writing a
 * request are the leader's ({@code io.duet.app.cluster.OperatorRequests}), so that an operator hears at
 * once what the leader would only log; the leader checks again when it applies them.
 */
final class AdminCommands {
    private static final long POLL_MILLIS = 200;

    private final AdminOptions options;
    private final ZooKeeperCluster zooKeeper;
    private final PrintStream out;

    AdminCommands(AdminOptions options, ZooKeeperCluster zooKeeper, PrintStream out) {
        this.options = options;
        this.zooKeeper = zooKeeper;
        this.out = out;
    }

    void run() throws Exception {
        switch (options.command()) {
            case "shards": {
                ClusterState state = read();
                out.print(Reports.shards(state, requireMap(state)));
                break;
            }
            case "servers":
                out.print(Reports.servers(read()));
                break;
            case "owner":
                if (options.arguments().get(0).equals("couple")) {
                    ownerOfCouple(options.id());
                } else {
                    ownerOfUser(options.id());
                }
                break;
            case "drain":
                drain(options.arguments().get(0));
                break;
            case "undrain":
                undrain(options.arguments().get(0));
                break;
            case "move":
                move(options.shard(), options.arguments().get(1));
                break;
            default:
                throw new IllegalStateException("command " + options.command() + " was not rejected by the parser");
        }
    }

    private ClusterState read() throws Exception {
        return zooKeeper.read(options.failureTimeout());
    }

    private ShardMapView requireMap(ClusterState state) throws AdminException {
        return state.map().orElseThrow(() -> AdminException.refused("cluster '" + state.cluster()
                + "' has no shard map yet: is an application server running? (see 'duet-admin servers')"));
    }

    private void ownerOfCouple(long coupleId) throws Exception {
        ShardMapView map = requireMap(read());
        out.println(Reports.owner("couple " + coupleId, map, coupleId));
    }

    private void ownerOfUser(long userId) throws Exception {
        ShardMapView map = requireMap(read());
        OptionalLong couple;
        try (HBaseUsers users = HBaseUsers.connect(options.hbaseZookeeper(), options.hbaseZnodeParent(),
                options.hbaseNamespace(), options.timeout())) {
            couple = users.coupleOf(userId);
        }
        if (couple.isEmpty()) {
            throw AdminException.refused("unknown user " + userId + " (no row in " + options.hbaseNamespace()
                    + ":users)");
        }
        out.println(Reports.owner("user " + userId, map, userId));
        if (couple.getAsLong() == 0) {
            out.println("user " + userId + " is not paired: no couple");
        } else {
            out.println(Reports.owner("couple " + couple.getAsLong() + " of user " + userId, map, couple.getAsLong()));
        }
    }

    private void drain(String server) throws Exception {
        ClusterState state = read();
        String name = ClusterPaths.serverName(state.resolve(server));
        List<String> left = state.members().keySet().stream()
                .filter(id -> !state.suspected(id) && !state.drained(id) && !ClusterPaths.serverName(id).equals(name))
                .collect(Collectors.toList());
        if (left.isEmpty()) {
            throw AdminException.refused("refusing to drain " + name + ": no other live, undrained server would"
                    + " own the shards");
        }
        out.println(zooKeeper.drain(name) ? "Drain of " + name + " requested." : name + " is drained already.");
        if (options.waitFor().isZero()) {
            return;
        }
        ShardMapView map = await("the drain of " + name, view -> instancesNamed(view, name).stream()
                .allMatch(id -> shardsOf(view, id) == 0));
        out.println("Shard map epoch " + map.epoch() + ": " + name + " owns no shards; " + Reports.loads(map));
    }

    private void undrain(String server) throws Exception {
        ClusterState state = read();
        String name = ClusterPaths.serverName(server);
        if (!zooKeeper.undrain(name)) {
            throw AdminException.refused(name + " is not drained (drained: "
                    + (state.drainedNames().isEmpty() ? "none" : String.join(", ", state.drainedNames())) + ")");
        }
        out.println("Drain of " + name + " lifted.");
        Optional<String> running = state.members().keySet().stream()
                .filter(id -> ClusterPaths.serverName(id).equals(name) && !state.suspected(id)).findFirst();
        if (running.isEmpty()) {
            out.println(name + " is not running: it gets shards when it starts.");
            return;
        }
        if (options.waitFor().isZero()) {
            return;
        }
        String id = running.get();
        Set<String> stillDrained = new TreeSet<>(state.drainedNames());
        stillDrained.remove(name);
        ShardMapView map = await("the end of the drain of " + name, view -> {
            long assignable = view.servers().keySet().stream()
                    .filter(other -> !stillDrained.contains(ClusterPaths.serverName(other))).count();
            return view.servers().containsKey(id) && assignable > 0
                    && shardsOf(view, id) >= view.shardCount() / assignable;
        });
        out.println("Shard map epoch " + map.epoch() + ": " + id + " owns " + shardsOf(map, id) + " shards; "
                + Reports.loads(map));
    }

    private void move(int shard, String server) throws Exception {
        ClusterState state = read();
        ShardMapView before = requireMap(state);
        if (shard < 0 || shard >= before.shardCount()) {
            throw AdminException.refused("unknown shard " + shard + " (cluster '" + state.cluster() + "' has "
                    + before.shardCount() + " shards: 0.." + (before.shardCount() - 1) + ")");
        }
        String target = state.resolve(server);
        if (state.suspected(target)) {
            long lag = state.lagMillis(target);
            throw AdminException.refused("refusing to move shard " + shard + " to " + target + ": it looks dead ("
                    + (lag < 0 ? "no heartbeat" : "its heartbeat lags " + lag + " ms") + ")");
        }
        if (state.drained(target)) {
            throw AdminException.refused("refusing to move shard " + shard + " to " + target + ": "
                    + ClusterPaths.serverName(target) + " is drained (undrain it first)");
        }
        String from = before.ownerIdOf(shard).orElse("nobody");
        if (from.equals(target)) {
            out.println("Shard " + shard + " is on " + target + " already (epoch " + before.epochOf(shard) + ").");
            return;
        }
        zooKeeper.requestMove(shard, target);
        out.println("Move of shard " + shard + " from " + from + " to " + target + " requested.");
        if (options.waitFor().isZero()) {
            return;
        }
        long deadline = System.nanoTime() + options.waitFor().toNanos();
        while (true) {
            // The leader deletes a request after publishing the map that deals with it: read in that order.
            boolean pending = zooKeeper.movePending(shard);
            Optional<ShardMapView> now = zooKeeper.shardMap();
            if (now.isPresent() && now.get().ownerIdOf(shard).filter(target::equals).isPresent()) {
                out.println(moved(before, now.get(), shard, from, target));
                return;
            }
            if (!pending) {
                throw AdminException.refused("the leader did not move shard " + shard + " to " + target
                        + ": the request became invalid (the server left or was drained); see the leader's log");
            }
            if (System.nanoTime() >= deadline) {
                throw notReflected("the move of shard " + shard);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static String moved(ShardMapView before, ShardMapView after, int shard, String from, String target) {
        List<String> exchanged = new ArrayList<>();
        for (int other = 0; other < after.shardCount(); other++) {
            if (other != shard && before.ownerIdOf(other).filter(target::equals).isPresent()
                    && after.ownerIdOf(other).filter(from::equals).isPresent()) {
                exchanged.add(Integer.toString(other));
            }
        }
        return "Shard map epoch " + after.epoch() + ": shard " + shard + " moved from " + from + " to " + target
                + (exchanged.isEmpty() ? "" : "; shard " + String.join(", ", exchanged) + " went from " + target
                        + " to " + from + " in exchange") + ".";
    }

    /** Polls the published map until {@code done} holds, for at most {@code --wait}. */
    private ShardMapView await(String what, Predicate<ShardMapView> done) throws Exception {
        long deadline = System.nanoTime() + options.waitFor().toNanos();
        while (true) {
            Optional<ShardMapView> view = zooKeeper.shardMap();
            if (view.isPresent() && done.test(view.get())) {
                return view.get();
            }
            if (System.nanoTime() >= deadline) {
                throw notReflected(what);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private AdminException notReflected(String what) {
        return AdminException.notReflected(what + " is requested, but no published shard map reflected it within "
                + DuetAdmin.describe(options.waitFor()) + ": is a leader running? (see 'duet-admin servers')");
    }

    private static List<String> instancesNamed(ShardMapView view, String name) {
        Set<String> ids = new TreeSet<>(view.servers().keySet());
        for (int shard = 0; shard < view.shardCount(); shard++) {
            view.ownerIdOf(shard).ifPresent(ids::add);
        }
        return ids.stream().filter(id -> ClusterPaths.serverName(id).equals(name)).collect(Collectors.toList());
    }

    private static int shardsOf(ShardMapView view, String id) {
        return ClusterState.shardsOf(view, id).size();
    }
}
