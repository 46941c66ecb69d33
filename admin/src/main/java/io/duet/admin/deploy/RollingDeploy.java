package io.duet.admin.deploy;

import static io.duet.admin.deploy.DeployFailure.stepFailed;
import static io.duet.admin.deploy.DeployLog.pid;

import io.duet.admin.ClusterState;
import io.duet.admin.deploy.DeployNode.Instance;
import io.duet.protocol.cluster.ShardMapView;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 *
 * <p>This class holds the steps themselves; {@link StepWatch} the waits and the watch on the other servers,
 * {@link ServerProbe} what a server says, {@link ShardMapChecks} what the shard map says, and
 * {@link ClusterReport} what is printed of the whole cluster before the first step and after a failure.
 */
final class RollingDeploy {
    /** How long a draining server's process may still be seen once its admin port has stopped answering. */
    private static final long DEATH_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

    private final Inventory inventory;
    private final DeploySettings settings;
    private final ClusterRecords zooKeeper;
    private final RestartCommand.Runner commands;
    private final DeployLog log;
    private final ServerProbe servers;
    private final StepWatch watch;
    private final ClusterReport report;

    /** @param commands runs the restart commands ({@link RestartCommand#run}) */
    RollingDeploy(Inventory inventory, DeploySettings settings, ClusterRecords zooKeeper, RestartCommand.Runner commands,
            PrintStream out) {
        this.inventory = inventory;
        this.settings = settings;
        this.zooKeeper = zooKeeper;
        this.commands = commands;
        this.log = new DeployLog(out);
        this.servers = new ServerProbe(new AdminHttp(settings.httpTimeout()));
        this.watch = new StepWatch(inventory, settings, servers, log);
        this.report = new ClusterReport(inventory, settings, zooKeeper, servers, log);
    }

    /** Restarts every server, or stops at the first failure after printing the cluster's state. */
    void run() throws DeployFailure, InterruptedException {
        long started = System.nanoTime();
        List<DeployNode> nodes = inventory.nodes();
        log.say("Rolling deploy of cluster '" + inventory.cluster() + "' (ZooKeeper " + inventory.zookeeper() + "): "
                + nodes.stream().map(DeployNode::name).collect(Collectors.joining(", ")) + "; restart command: "
                + settings.restartCommand());
        try {
            report.checkBeforeDeploy();
            for (int i = 0; i < nodes.size(); i++) {
                DeployNode node = nodes.get(i);
                watch.begin("step " + (i + 1) + "/" + nodes.size() + " (" + node.kind().word() + " server "
                        + node.name() + ")", node);
                log.say("== " + watch.step());
                if (node.kind() == DeployNode.Kind.APPLICATION) {
                    restartApplicationServer(node);
                } else {
                    restartPresentationServer(node);
                }
                watch.backUp();
                pause(node);
            }
        } catch (DeployFailure e) {
            log.say("FAILED at " + watch.step() + ": " + e.getMessage());
            // Before the first step, the check has just printed every server's state.
            Optional<DeployNode> failed = watch.stepNode();
            if (failed.isPresent()) {
                report.afterFailure(failed.get());
            }
            throw e;
        }
        log.say(String.format("Rolling deploy done: %d servers restarted one at a time in %.1f s; every server is"
                + " ready.", nodes.size(), (System.nanoTime() - started) / 1e9));
    }

    private void restartApplicationServer(DeployNode node) throws DeployFailure, InterruptedException {
        ClusterState state;
        try {
            state = read();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw stepFailed("cannot read the cluster's state in ZooKeeper: " + e);
        }
        String oldId = ShardMapChecks.liveInstance(state, node.name()).orElseThrow(() -> stepFailed(node.name()
                + " has no live instance registered in ZooKeeper"));
        Instance old = locate(node);
        int owned = state.map().map(map -> ClusterState.shardsOf(map, oldId).size()).orElse(0);
        log.say(node.name() + ": instance " + oldId + pid(old) + " owns " + owned + " shards; restarting it (its"
                + " SIGTERM hands the shards over)");
        watch.takingDown(node);
        restart(node, old);
        Seen left = watch.await(oldId + " to hand its shards over and leave the shard map", settings.leaveTimeout(),
                () -> leftTheShardMap(node, oldId, old));
        log.say(oldId + " left the shard map; " + left.what());
        Seen up = watch.await(node.name() + " to come back ready", settings.readyTimeout(), () -> {
            Optional<String> newId = ShardMapChecks.liveInstance(read(), node.name()).filter(id -> !id.equals(oldId));
            if (newId.isEmpty()) {
                return Seen.notYet("no new instance of " + node.name() + " registered in ZooKeeper");
            }
            return servers.ready(node, old, newId.get());
        });
        log.say(up.what());
        Seen settled = watch.await("the shard map to give shards to every application server",
                settings.settleTimeout(), () -> ShardMapChecks.settled(read(), inventory.applicationServers()));
        log.say("shard map settled: " + settled.what());
    }

    private void restartPresentationServer(DeployNode node) throws DeployFailure, InterruptedException {
        Instance old = locate(node);
        log.say(node.name() + pid(old) + ": POST " + old.admin() + "/drain");
        AdminHttp.Answer started;
        try {
            started = servers.http().post(old.admin(), "/drain");
        } catch (IOException e) {
            throw stepFailed(node.name() + " did not answer POST /drain: " + AdminHttp.describe(e));
        }
        if (started.status() != 202 && started.status() != 200) {
            throw stepFailed(node.name() + " refused to drain: " + started);
        }
        log.say(node.name() + ": " + started.body() + " (clients move through the load balancer)");
        watch.takingDown(node);
        long drainStarted = System.nanoTime();
        Seen drained = watch.await(node.name() + " to drain (GET /drain to answer 200)", settings.drainTimeout(),
                () -> drained(node, old));
        log.say(String.format("%s drained in %.1f s: %s", node.name(), (System.nanoTime() - drainStarted) / 1e9,
                drained.what()));
        restart(node, old);
        Seen up = watch.await(node.name() + " to come back ready", settings.readyTimeout(),
                () -> servers.ready(node, old, node.name()));
        log.say(up.what());
    }

    /** Whether instance {@code oldId} of {@code node} has handed every shard over and left; fails if it died first. */
    private Seen leftTheShardMap(DeployNode node, String oldId, Instance old) throws Exception {
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
            // A heartbeat can lag on a busy machine, so a process still seen running has not died: the leader
            // hands its shards over either way, and the wait goes on within its bound.
            Optional<Instance> running = ServerProbe.current(node);
            if (old != null && old.pidKnown() && running.isPresent() && running.get().pid() == old.pid()) {
                return Seen.notYet("its heartbeat lags more than " + settings.failureTimeout().toMillis()
                        + " ms, but its process" + pid(old) + " still runs; it still owns " + still + " shards");
            }
            throw stepFailed(node.name() + " died during its handoff: instance " + oldId + pid(old) + " stopped"
                    + " heartbeating (for more than " + settings.failureTimeout().toMillis() + " ms) while it "
                    + (member ? "was still a member" : "was still in the shard map") + " with " + still
                    + " shards; the leader moves them as after a crash, so their couples wait for that. Read"
                    + " its log (exit status, crash) before running the deploy again");
        }
        return still == 0 && !listed && !member
                ? Seen.done("epoch " + map.get().epoch() + ": " + ShardMapChecks.loads(map.get()))
                : Seen.notYet("epoch " + map.get().epoch() + ": it still owns " + still + " shards"
                        + (listed ? " and is listed" : "") + (member ? " and is a member" : ""));
    }

    /** Whether draining {@code node} answers {@code GET /drain} with 200; fails if it died or stopped draining. */
    private Seen drained(DeployNode node, Instance old) throws IOException, DeployFailure, InterruptedException {
        failIfGone(node, old);
        AdminHttp.Answer answer;
        try {
            answer = servers.http().get(old.admin(), "/drain");
        } catch (IOException e) {
            // A killed process's port closes before the process is reaped: look for it a while longer.
            long end = System.nanoTime() + DEATH_GRACE_NANOS;
            do {
                Thread.sleep(settings.pollInterval().toMillis());
                failIfGone(node, old);
            } while (System.nanoTime() < end);
            throw stepFailed(node.name() + " stopped answering on its admin port while draining: "
                    + AdminHttp.describe(e));
        }
        if (answer.status() == 200) {
            return Seen.done(answer.body());
        }
        if (answer.status() == 503) {
            return Seen.notYet(answer.body());
        }
        throw stepFailed(node.name() + " is no longer draining (GET /drain: " + answer + "): it restarted?");
    }

    /** Fails when {@code node}'s process {@code old} is gone (it died while draining). */
    private static void failIfGone(DeployNode node, Instance old) throws IOException, DeployFailure {
        Optional<Instance> now = node.locator().current();
        if (now.isEmpty() || (old.pidKnown() && now.get().pid() != old.pid())) {
            throw stepFailed(node.name() + " died while draining: its process" + pid(old) + " is gone"
                    + now.map(instance -> ", a new one" + pid(instance) + " runs").orElse(""));
        }
    }

    private void restart(DeployNode node, Instance instance) throws DeployFailure, InterruptedException {
        String command;
        try {
            command = RestartCommand.render(settings.restartCommand(), node, instance);
        } catch (IllegalArgumentException e) {
            throw stepFailed(e.getMessage());
        }
        log.say(node.name() + ": running: " + command);
        RestartCommand.Result result;
        try {
            result = commands.run(command, settings.commandTimeout());
        } catch (IOException e) {
            throw stepFailed("the restart command of " + node.name() + " failed: " + e.getMessage());
        }
        result.output().forEach(line -> log.say("  | " + line));
        if (result.exitStatus() != 0) {
            throw stepFailed("the restart command of " + node.name() + " exited with status " + result.exitStatus());
        }
    }

    /**
     * Waits {@link DeploySettings#pause()} for the load balancer's health checks, watching the others, then
     * checks that {@code node} is still ready.
     */
    private void pause(DeployNode node) throws DeployFailure, InterruptedException {
        if (settings.pause().isZero()) {
            return;
        }
        log.say("waiting " + settings.pause().toMillis() + " ms for the load balancer's health checks before the"
                + " next server");
        watch.sleep(settings.pause());
        Seen ready = StepWatch.look(() -> servers.ready(node, new Instance(null, -1), node.name()));
        if (!ready.done()) {
            throw stepFailed(node.name() + " is not ready any more: " + ready.what());
        }
    }

    private Instance locate(DeployNode node) throws DeployFailure {
        return ServerProbe.current(node).orElseThrow(() -> stepFailed(node.name() + " is not running"));
    }

    private ClusterState read() throws Exception {
        return zooKeeper.read(settings.failureTimeout());
    }
}
