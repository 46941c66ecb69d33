package io.duet.admin.deploy;

import io.duet.admin.ClusterState;
import io.duet.admin.deploy.DeployNode.Instance;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.ShardMapView;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Restarts every server of a cluster one at a time, application servers first, each step waiting for
 * the server to leave cleanly and to come back ready before the next one goes:
 *
 * <ul>
 *   <li>an application server: the restart command (its SIGTERM hands the shards over), then its old
 *       instance leaving the shard map, a new instance registered and answering {@code GET /ready} with
 *       200, and the shard map owning every shard by a live server, every application server among them;
 *   <li>a presentation server: {@code POST /drain}, {@code GET /drain} until 200 (every client has moved
 *       through the load balancer), the restart command, then {@code GET /ready} 200 from the new process.
 * </ul>
 *
 * After each server it waits {@link DeploySettings#pause()} for the load balancer's health checks. Every
 * wait has a timeout. Before the first step every server must be ready and the shard map settled, else
 * nothing is restarted. While a step waits, every other server must stay up as it was; a server that dies
 * or restarts, a wait that times out or a restart command that fails stops the deploy with a
 * {@link DeployFailure} after printing what each server says now. Every line printed starts with the time.
 */
final class RollingDeploy {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final long OTHERS_CHECK_NANOS = Duration.ofSeconds(1).toNanos();
    /** How long a draining server's process may still be seen once its admin port has stopped answering. */
    private static final long DEATH_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

    private final Inventory inventory;
    private final DeploySettings settings;
    private final ClusterRecords zooKeeper;
    private final RestartCommand.Runner commands;
    private final AdminHttp http;
    private final PrintStream out;
    /** Each node's pid as last seen ready, where pids are known. */
    private final Map<DeployNode, Long> pids = new HashMap<>();
    private String step = "the check before the deploy";
    /** The node of the current step, or null before the first. */
    private DeployNode stepNode;
    /** The node the current step has begun to take down; the others must stay up meanwhile. */
    private DeployNode restarting;
    private long othersCheckedAt;

    /** What a poll saw: done, or not yet and why. */
    private record Seen(boolean done, String what) {
        static Seen done(String what) {
            return new Seen(true, what);
        }

        static Seen notYet(String what) {
            return new Seen(false, what);
        }
    }

    /** One look at what a wait waits for. */
    private interface Poll {
        Seen poll() throws Exception;
    }

    /** @param commands runs the restart commands ({@link RestartCommand#run}) */
    RollingDeploy(Inventory inventory, DeploySettings settings, ClusterRecords zooKeeper, RestartCommand.Runner commands,
            PrintStream out) {
        this.inventory = inventory;
        this.settings = settings;
        this.zooKeeper = zooKeeper;
        this.commands = commands;
        this.out = out;
        this.http = new AdminHttp(settings.httpTimeout());
    }

    /** Restarts every server, or stops at the first failure after printing the cluster's state. */
    void run() throws DeployFailure, InterruptedException {
        long started = System.nanoTime();
        List<DeployNode> nodes = inventory.nodes();
        say("Rolling deploy of cluster '" + inventory.cluster() + "' (ZooKeeper " + inventory.zookeeper() + "): "
                + nodes.stream().map(DeployNode::name).collect(Collectors.joining(", ")) + "; restart command: "
                + settings.restartCommand());
        try {
            preflight();
            for (int i = 0; i < nodes.size(); i++) {
                DeployNode node = nodes.get(i);
                stepNode = node;
                step = "step " + (i + 1) + "/" + nodes.size() + " (" + node.kind().word() + " server " + node.name()
                        + ")";
                say("== " + step);
                if (node.kind() == DeployNode.Kind.APPLICATION) {
                    restartApplicationServer(node);
                } else {
                    restartPresentationServer(node);
                }
                restarting = null;
                pause(node);
            }
        } catch (DeployFailure e) {
            say("FAILED at " + step + ": " + e.getMessage());
            if (stepNode != null) {
                reportCluster(); // before the first step, the check has just printed every server's state
            }
            throw e;
        }
        say(String.format("Rolling deploy done: %d servers restarted one at a time in %.1f s; every server is ready.",
                nodes.size(), (System.nanoTime() - started) / 1e9));
    }

    private void preflight() throws DeployFailure, InterruptedException {
        say("Checking that every server is ready and the shard map settled before restarting anything...");
        StringBuilder problems = new StringBuilder();
        for (DeployNode node : inventory.nodes()) {
            String state = describe(node);
            say("  " + node.name() + ": " + state);
            if (!state.startsWith("ready")) {
                problems.append("; ").append(node.name()).append(" is ").append(state);
            }
        }
        Seen map = look(this::settled);
        say("  shard map: " + map.what());
        if (!map.done()) {
            problems.append("; the shard map is not settled: ").append(map.what());
        }
        if (problems.length() > 0) {
            throw new DeployFailure(DeployFailure.NOT_HEALTHY, "the cluster is not healthy, so nothing was restarted"
                    + problems);
        }
    }

    private void restartApplicationServer(DeployNode node) throws DeployFailure, InterruptedException {
        ClusterState state;
        try {
            state = read();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw failure("cannot read the cluster's state in ZooKeeper: " + e);
        }
        String oldId = liveInstance(state, node.name()).orElseThrow(() -> failure(node.name()
                + " has no live instance registered in ZooKeeper"));
        Instance old = locate(node);
        int owned = state.map().map(map -> ClusterState.shardsOf(map, oldId).size()).orElse(0);
        say(node.name() + ": instance " + oldId + pid(old) + " owns " + owned + " shards; restarting it (its SIGTERM"
                + " hands the shards over)");
        restarting = node;
        restart(node, old);
        Seen left = await(oldId + " to hand its shards over and leave the shard map", settings.leaveTimeout(), () -> {
            ClusterState now = read();
            Optional<ShardMapView> map = now.map();
            if (map.isEmpty()) {
                return Seen.notYet("no shard map published");
            }
            int still = ClusterState.shardsOf(map.get(), oldId).size();
            boolean listed = map.get().servers().containsKey(oldId);
            boolean member = now.members().containsKey(oldId);
            if (now.suspected(oldId) && (member || listed || still > 0)) {
                // A clean stop leaves the members first and heartbeats until the map has given its shards away.
                throw failure(node.name() + " died during its handoff: instance " + oldId + pid(old) + " stopped"
                        + " heartbeating (for more than " + settings.failureTimeout().toMillis() + " ms) while it "
                        + (member ? "was still a member" : "was still in the shard map") + " with " + still
                        + " shards; the leader moves them as after a crash, so their couples wait for that. Read"
                        + " its log (exit status, crash) before running the deploy again");
            }
            return still == 0 && !listed && !member ? Seen.done("epoch " + map.get().epoch() + ": " + loads(map.get()))
                    : Seen.notYet("epoch " + map.get().epoch() + ": it still owns " + still + " shards"
                            + (listed ? " and is listed" : "") + (member ? " and is a member" : ""));
        });
        say(oldId + " left the shard map; " + left.what());
        Seen up = await(node.name() + " to come back ready", settings.readyTimeout(), () -> {
            Optional<String> newId = liveInstance(read(), node.name()).filter(id -> !id.equals(oldId));
            if (newId.isEmpty()) {
                return Seen.notYet("no new instance of " + node.name() + " registered in ZooKeeper");
            }
            return ready(node, old, newId.get());
        });
        say(up.what());
        Seen settled = await("the shard map to give shards to every application server", settings.settleTimeout(),
                this::settled);
        say("shard map settled: " + settled.what());
    }

    private void restartPresentationServer(DeployNode node) throws DeployFailure, InterruptedException {
        Instance old = locate(node);
        say(node.name() + pid(old) + ": POST " + old.admin() + "/drain");
        AdminHttp.Answer started;
        try {
            started = http.post(old.admin(), "/drain");
        } catch (IOException e) {
            throw failure(node.name() + " did not answer POST /drain: " + AdminHttp.describe(e));
        }
        if (started.status() != 202 && started.status() != 200) {
            throw failure(node.name() + " refused to drain: " + started);
        }
        say(node.name() + ": " + started.body() + " (clients move through the load balancer)");
        restarting = node;
        long drainStarted = System.nanoTime();
        Seen drained = await(node.name() + " to drain (GET /drain to answer 200)", settings.drainTimeout(), () -> {
            failIfGone(node, old);
            AdminHttp.Answer answer;
            try {
                answer = http.get(old.admin(), "/drain");
            } catch (IOException e) {
                // A killed process's port closes before the process is reaped: look for it a while longer.
                long end = System.nanoTime() + DEATH_GRACE_NANOS;
                do {
                    Thread.sleep(settings.pollInterval().toMillis());
                    failIfGone(node, old);
                } while (System.nanoTime() < end);
                throw failure(node.name() + " stopped answering on its admin port while draining: "
                        + AdminHttp.describe(e));
            }
            if (answer.status() == 200) {
                return Seen.done(answer.body());
            }
            if (answer.status() == 503) {
                return Seen.notYet(answer.body());
            }
            throw failure(node.name() + " is no longer draining (GET /drain: " + answer + "): it restarted?");
        });
        say(String.format("%s drained in %.1f s: %s", node.name(), (System.nanoTime() - drainStarted) / 1e9,
                drained.what()));
        restart(node, old);
        Seen up = await(node.name() + " to come back ready", settings.readyTimeout(), () -> ready(node, old, node.name()));
        say(up.what());
    }

    /** Fails when {@code node}'s process {@code old} is gone (it died while draining). */
    private void failIfGone(DeployNode node, Instance old) throws IOException, DeployFailure {
        Optional<Instance> now = node.locator().current();
        if (now.isEmpty() || (old.pidKnown() && now.get().pid() != old.pid())) {
            throw failure(node.name() + " died while draining: its process" + pid(old) + " is gone"
                    + now.map(instance -> ", a new one" + pid(instance) + " runs").orElse(""));
        }
    }

    /** Whether {@code node} runs a process other than {@code old} that answers {@code GET /ready} with 200. */
    private Seen ready(DeployNode node, Instance old, String label) throws Exception {
        Optional<Instance> now = node.locator().current();
        if (now.isEmpty()) {
            return Seen.notYet(label + ": no process running");
        }
        if (old.pidKnown() && now.get().pid() == old.pid()) {
            return Seen.notYet(label + ": the old process" + pid(old) + " still runs");
        }
        AdminHttp.Answer answer;
        try {
            answer = http.get(now.get().admin(), "/ready");
        } catch (IOException e) {
            return Seen.notYet(label + ": GET /ready: " + AdminHttp.describe(e));
        }
        if (answer.status() != 200) {
            return Seen.notYet(label + pid(now.get()) + ": GET /ready: " + answer);
        }
        pids.put(node, now.get().pid());
        return Seen.done(label + pid(now.get()) + " is back: GET " + now.get().admin() + "/ready: 200");
    }

    private void restart(DeployNode node, Instance instance) throws DeployFailure, InterruptedException {
        String command;
        try {
            command = RestartCommand.render(settings.restartCommand(), node, instance);
        } catch (IllegalArgumentException e) {
            throw failure(e.getMessage());
        }
        say(node.name() + ": running: " + command);
        RestartCommand.Result result;
        try {
            result = commands.run(command, settings.commandTimeout());
        } catch (IOException e) {
            throw failure("the restart command of " + node.name() + " failed: " + e.getMessage());
        }
        result.output().forEach(line -> say("  | " + line));
        if (result.exitStatus() != 0) {
            throw failure("the restart command of " + node.name() + " exited with status " + result.exitStatus());
        }
    }

    private void pause(DeployNode node) throws DeployFailure, InterruptedException {
        if (settings.pause().isZero()) {
            return;
        }
        say("waiting " + settings.pause().toMillis() + " ms for the load balancer's health checks before the next"
                + " server");
        long end = System.nanoTime() + settings.pause().toNanos();
        while (System.nanoTime() < end) {
            checkOthers();
            Thread.sleep(Math.min(settings.pollInterval().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
        Seen ready = look(() -> ready(node, new Instance(null, -1), node.name()));
        if (!ready.done()) {
            throw failure(node.name() + " is not ready any more: " + ready.what());
        }
    }

    /**
     * Polls until done; fails after {@code timeout} with what it saw last, or at once when another server
     * dies or a poll says the step cannot succeed.
     */
    private Seen await(String what, Duration timeout, Poll poll) throws DeployFailure, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        say("waiting for " + what + " (at most " + timeout.toSeconds() + " s)");
        while (true) {
            Seen seen = look(poll);
            if (seen.done()) {
                return seen;
            }
            checkOthers();
            if (System.nanoTime() > deadline) {
                throw failure(what + " did not happen within " + timeout.toSeconds() + " s; last seen: " + seen.what());
            }
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    /** One poll; a failure to read (ZooKeeper, HTTP) is "not yet", a {@link DeployFailure} ends the step. */
    private static Seen look(Poll poll) throws DeployFailure, InterruptedException {
        try {
            return poll.poll();
        } catch (DeployFailure | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return Seen.notYet(e.toString());
        }
    }

    /** One poll that cannot end a step (its failure is a "not yet" too). */
    private static Seen lookQuietly(Poll poll) throws InterruptedException {
        try {
            return look(poll);
        } catch (DeployFailure e) {
            return Seen.notYet(e.getMessage());
        }
    }

    /** Fails when a server other than the one being restarted has died or restarted (at most once a second). */
    private void checkOthers() throws DeployFailure, InterruptedException {
        if (System.nanoTime() - othersCheckedAt < OTHERS_CHECK_NANOS) {
            return;
        }
        othersCheckedAt = System.nanoTime();
        for (DeployNode node : inventory.nodes()) {
            if (node.equals(restarting)) {
                continue;
            }
            Optional<Instance> now = current(node);
            Long known = pids.get(node);
            if (now.isEmpty()) {
                throw failure(node.name() + " went down while " + meanwhile()
                        + (known != null && known > 0 ? " (pid " + known + " is gone)" : ""));
            }
            if (known != null && known > 0 && now.get().pid() != known) {
                throw failure(node.name() + " restarted while " + meanwhile() + " (pid " + known + ", now "
                        + now.get().pid() + ")");
            }
            if (!now.get().pidKnown()) {
                try {
                    http.get(now.get().admin(), "/live");
                } catch (IOException e) {
                    throw failure(node.name() + " does not answer on its admin port: " + AdminHttp.describe(e));
                }
            }
        }
    }

    /** What the deploy was doing while another server went down: "app-1 was restarting", or its pause. */
    private String meanwhile() {
        if (restarting != null) {
            return restarting.name() + " was restarting";
        }
        return "the deploy paused after " + (stepNode == null ? "the check" : stepNode.name() + "'s restart");
    }

    /** Every shard owned by a live instance, and every application server of the inventory owning some. */
    private Seen settled() throws Exception {
        ClusterState state = read();
        Seen owned = everyShardOwned(state);
        if (!owned.done()) {
            return owned;
        }
        ShardMapView map = state.map().orElseThrow();
        for (DeployNode node : inventory.applicationServers()) {
            Optional<String> id = liveInstance(state, node.name());
            if (id.isEmpty() || ClusterState.shardsOf(map, id.get()).isEmpty()) {
                return Seen.notYet("epoch " + map.epoch() + ": " + node.name() + " owns no shards (" + loads(map) + ")");
            }
        }
        return Seen.done("epoch " + map.epoch() + ", every shard owned: " + loads(map));
    }

    private Seen everyShardOwned() throws Exception {
        return everyShardOwned(read());
    }

    /** Whether every shard has an owner that is a live member: whether every couple can be served. */
    private static Seen everyShardOwned(ClusterState state) {
        Optional<ShardMapView> published = state.map();
        if (published.isEmpty()) {
            return Seen.notYet("no shard map published");
        }
        ShardMapView map = published.get();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            Optional<String> owner = map.ownerIdOf(shard);
            if (owner.isEmpty()) {
                return Seen.notYet("epoch " + map.epoch() + ": shard " + shard + " has no owner");
            }
            if (!state.members().containsKey(owner.get()) || state.suspected(owner.get())) {
                return Seen.notYet("epoch " + map.epoch() + ": shard " + shard + " is on " + owner.get()
                        + ", which is not live");
            }
        }
        return Seen.done("epoch " + map.epoch() + ", every shard owned: " + loads(map));
    }

    /** After a failure: what every server and the shard map say now, and whether the rest still serves. */
    private void reportCluster() throws InterruptedException {
        say("The cluster now:");
        boolean othersServing = true;
        for (DeployNode node : inventory.nodes()) {
            String state = describe(node);
            boolean other = !node.equals(stepNode);
            say("  " + node.name() + ": " + state + (other ? "" : "   <- the server of the failed step"));
            othersServing &= !other || state.startsWith("ready");
        }
        Seen map = lookQuietly(this::settled);
        say("  shard map: " + map.what());
        if (othersServing && lookQuietly(this::everyShardOwned).done()) {
            say("The rest of the cluster is still serving: every other server is ready and every shard has a live "
                    + "owner. Nothing more was restarted; look at the failed server (its log), then run the deploy "
                    + "again.");
        } else {
            say("WARNING: the rest of the cluster is NOT fully serving (see above).");
        }
    }

    /** {@code ready (pid N)}, {@code NOT READY: why}, or {@code DOWN: why}. */
    private String describe(DeployNode node) throws InterruptedException {
        Optional<Instance> now = current(node);
        if (now.isEmpty()) {
            return "DOWN (no process running)";
        }
        try {
            AdminHttp.Answer answer = http.get(now.get().admin(), "/ready");
            if (answer.status() == 200) {
                pids.putIfAbsent(node, now.get().pid());
                return "ready" + pid(now.get());
            }
            return "NOT READY" + pid(now.get()) + ": " + answer;
        } catch (IOException e) {
            return "DOWN" + pid(now.get()) + ": " + now.get().admin() + " does not answer: " + AdminHttp.describe(e);
        }
    }

    private static Optional<Instance> current(DeployNode node) {
        try {
            return node.locator().current();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Instance locate(DeployNode node) throws DeployFailure {
        return current(node).orElseThrow(() -> failure(node.name() + " is not running"));
    }

    private ClusterState read() throws Exception {
        return zooKeeper.read(settings.failureTimeout());
    }

    /** The live (heartbeating) instance of server {@code name}: the one in the shard map if there are two. */
    private static Optional<String> liveInstance(ClusterState state, String name) {
        List<String> live = state.members().keySet().stream()
                .filter(id -> ClusterPaths.serverName(id).equals(name) && !state.suspected(id)).toList();
        return live.stream().filter(id -> state.map().map(map -> map.servers().containsKey(id)).orElse(false))
                .findFirst().or(() -> live.stream().reduce((first, second) -> second));
    }

    private static String loads(ShardMapView map) {
        Map<String, Integer> loads = new TreeMap<>();
        for (int shard = 0; shard < map.shardCount(); shard++) {
            map.ownerIdOf(shard).ifPresent(owner -> loads.merge(owner, 1, Integer::sum));
        }
        return loads.entrySet().stream().map(entry -> entry.getKey() + " " + entry.getValue() + " shards")
                .collect(Collectors.joining(", "));
    }

    private static String pid(Instance instance) {
        return instance.pidKnown() ? " (pid " + instance.pid() + ")" : "";
    }

    private DeployFailure failure(String message) {
        return new DeployFailure(DeployFailure.STEP_FAILED, message);
    }

    private void say(String line) {
        out.println(LocalTime.now().format(TIME) + " " + line);
        out.flush();
    }
}
