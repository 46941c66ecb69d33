package io.duet.admin.deploy;

import io.duet.admin.ClusterState;

/**
 * What a rolling deploy prints of the whole cluster: every server's state and the shard map's, before the
 * first step (where anything unhealthy stops the deploy before it restarts anything) and after a failure
 * (with whether the rest of the cluster still serves).
 */
final class ClusterReport {
    /** How many times the check before the deploy asks a running server that does not answer. */
    static final int PROBES = 3;
    /** How {@link ServerProbe#describe} starts for a running process whose admin port did not answer. */
    private static final String RUNNING_BUT_SILENT = "DOWN (pid";
    private final Inventory inventory;
    private final DeploySettings settings;
    private final ClusterRecords zooKeeper;
    private final ServerProbe servers;
    private final DeployLog log;

    ClusterReport(Inventory inventory, DeploySettings settings, ClusterRecords zooKeeper, ServerProbe servers,
            DeployLog log) {
        this.inventory = inventory;
        this.settings = settings;
        this.zooKeeper = zooKeeper;
        this.servers = servers;
        this.log = log;
    }

    /** Prints every server's state and the shard map's; fails unless every server is ready and the map settled. */
    void checkBeforeDeploy() throws DeployFailure, InterruptedException {
        log.say("Checking that every server is ready and the shard map settled before restarting anything...");
        StringBuilder problems = new StringBuilder();
        for (DeployNode node : inventory.nodes()) {
            String state = servers.describe(node);
            // A running server that did not answer within the HTTP timeout may only be busy (a GC pause, a
            // saturated box): ask it again before calling the cluster unhealthy.
            for (int probe = 2; probe <= PROBES && state.startsWith(RUNNING_BUT_SILENT); probe++) {
                log.say("  " + node.name() + ": " + state + "; asking again");
                Thread.sleep(settings.pollInterval().toMillis());
                state = servers.describe(node);
            }
            log.say("  " + node.name() + ": " + state);
            if (!state.startsWith("ready")) {
                problems.append("; ").append(node.name()).append(" is ").append(state);
            }
        }
        Seen map = StepWatch.look(this::settled);
        log.say("  shard map: " + map.what());
        if (!map.done()) {
            problems.append("; the shard map is not settled: ").append(map.what());
        }
        if (problems.length() > 0) {
            throw new DeployFailure(DeployFailure.NOT_HEALTHY, "the cluster is not healthy, so nothing was restarted"
                    + problems);
        }
    }

    /**
     * After a failure at {@code failed}'s step: what every server and the shard map say now, and whether
     * the rest of the cluster still serves.
     */
    void afterFailure(DeployNode failed) throws InterruptedException {
        log.say("The cluster now:");
        boolean othersServing = true;
        for (DeployNode node : inventory.nodes()) {
            String state = servers.describe(node);
            boolean other = !node.equals(failed);
            log.say("  " + node.name() + ": " + state + (other ? "" : "   <- the server of the failed step"));
            othersServing &= !other || state.startsWith("ready");
        }
        Seen map = StepWatch.lookQuietly(this::settled);
        log.say("  shard map: " + map.what());
        if (othersServing && StepWatch.lookQuietly(() -> ShardMapChecks.everyShardOwned(read())).done()) {
            log.say("The rest of the cluster is still serving: every other server is ready and every shard has a live "
                    + "owner. Nothing more was restarted; look at the failed server (its log), then run the deploy "
                    + "again.");
        } else {
            log.say("WARNING: the rest of the cluster is NOT fully serving (see above).");
        }
    }

    /** Every shard owned by a live instance, and every application server of the inventory owning some. */
    private Seen settled() throws Exception {
        return ShardMapChecks.settled(read(), inventory.applicationServers());
    }

    private ClusterState read() throws Exception {
        return zooKeeper.read(settings.failureTimeout());
    }
}
