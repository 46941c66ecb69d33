package io.duet.admin.deploy;

import static io.duet.admin.deploy.DeployFailure.stepFailed;

import io.duet.admin.deploy.DeployNode.Instance;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The waits of a rolling deploy and the watch kept meanwhile: polls until done or timed out, and while it
 * waits, fails the step when a server other than the one being restarted dies or restarts. Knows which step
 * the deploy is at, for its messages and for the report after a failure.
 */
final class StepWatch {
    private static final long OTHERS_CHECK_NANOS = Duration.ofSeconds(1).toNanos();

    private final Inventory inventory;
    private final DeploySettings settings;
    private final ServerProbe servers;
    private final DeployLog log;
    private String step = "the check before the deploy";
    /** The node of the current step, or null before the first. */
    private DeployNode stepNode;
    /** The node the current step has begun to take down; the others must stay up meanwhile. */
    private DeployNode restarting;
    private long othersCheckedAt;

    StepWatch(Inventory inventory, DeploySettings settings, ServerProbe servers, DeployLog log) {
        this.inventory = inventory;
        this.settings = settings;
        this.servers = servers;
        this.log = log;
    }

    /** Starts step {@code step} of the deploy, on {@code node}. */
    void begin(String step, DeployNode node) {
        this.step = step;
        this.stepNode = node;
        this.restarting = null;
    }

    /** From now on the step's own node may go down; every other must stay up. */
    void takingDown(DeployNode node) {
        restarting = node;
    }

    /** The step's node is back: from now on every server must stay up. */
    void backUp() {
        restarting = null;
    }

    String step() {
        return step;
    }

    /** The node of the current step; empty before the first. */
    Optional<DeployNode> stepNode() {
        return Optional.ofNullable(stepNode);
    }

    /**
     * Polls until done; fails after {@code timeout} with what it saw last, or at once when another server
     * dies or a poll says the step cannot succeed.
     */
    Seen await(String what, Duration timeout, Seen.Poll poll) throws DeployFailure, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        log.say("waiting for " + what + " (at most " + timeout.toSeconds() + " s)");
        while (true) {
            Seen seen = look(poll);
            if (seen.done()) {
                return seen;
            }
            checkOthers();
            if (System.nanoTime() > deadline) {
                throw stepFailed(what + " did not happen within " + timeout.toSeconds() + " s; last seen: "
                        + seen.what());
            }
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    /** Waits {@code duration}, watching the other servers meanwhile. */
    void sleep(Duration duration) throws DeployFailure, InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            checkOthers();
            Thread.sleep(Math.min(settings.pollInterval().toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    /** One poll; a failure to read (ZooKeeper, HTTP) is "not yet", a {@link DeployFailure} ends the step. */
    static Seen look(Seen.Poll poll) throws DeployFailure, InterruptedException {
        try {
            return poll.poll();
        } catch (DeployFailure | InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return Seen.notYet(e.toString());
        }
    }

    /** One poll that cannot end a step (its failure is a "not yet" too). */
    static Seen lookQuietly(Seen.Poll poll) throws InterruptedException {
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
            Optional<Instance> now = ServerProbe.current(node);
            Optional<Long> known = servers.knownPid(node);
            if (now.isEmpty()) {
                throw stepFailed(node.name() + " went down while " + meanwhile()
                        + known.map(pid -> " (pid " + pid + " is gone)").orElse(""));
            }
            if (known.isPresent() && now.get().pid() != known.get()) {
                throw stepFailed(node.name() + " restarted while " + meanwhile() + " (pid " + known.get() + ", now "
                        + now.get().pid() + ")");
            }
            if (!now.get().pidKnown()) {
                try {
                    servers.http().get(now.get().admin(), "/live");
                } catch (IOException e) {
                    throw stepFailed(node.name() + " does not answer on its admin port: " + AdminHttp.describe(e));
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
}
