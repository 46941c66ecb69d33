package io.duet.admin.deploy;

import io.duet.admin.ZooKeeperCluster;
import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code deploy/bin/rolling-deploy}: restarts every server of a cluster one at a time
 * ({@link RollingDeploy}), against a local cluster ({@code --local-cluster DIR}, the default) or servers
 * named on the command line with a restart command of the operator's ({@code --restart-command}).
 *
 * <p>Exit status: 0 every server restarted; 1 usage error; 2 ZooKeeper unreachable; 3 the cluster was
 * not healthy before the deploy, nothing was restarted; 4 a step failed and the deploy stopped there
 * (the last lines say which step, which server, what was seen, and what the other servers say now).
 */
public final class RollingDeployMain {
    static final int USAGE = 1;
    static final int UNREACHABLE = 2;
    private static final Duration ZOOKEEPER_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<String> VALUED = Set.of("local-cluster", "application", "presentation", "zookeeper",
            "cluster", "restart-command", "drain-timeout", "leave-timeout", "ready-timeout", "settle-timeout", "pause",
            "command-timeout", "failure-timeout");

    private RollingDeployMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a deploy; returns the exit status (see the class comment). */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Inventory inventory;
        DeploySettings settings;
        try {
            Map<String, List<String>> options = parse(args);
            if (options.containsKey("help")) {
                out.print(usage());
                return 0;
            }
            inventory = inventory(options);
            settings = settings(options, Settings.of(single(options)));
        } catch (IllegalArgumentException | SettingsException | IOException e) {
            err.println("rolling-deploy: " + e.getMessage());
            err.println();
            err.print(usage());
            return USAGE;
        }
        try (ZooKeeperCluster zooKeeper = connect(inventory, err)) {
            if (zooKeeper == null) {
                return UNREACHABLE;
            }
            new RollingDeploy(inventory, settings, ClusterRecords.of(zooKeeper), RestartCommand::run, out).run();
            return 0;
        } catch (DeployFailure e) {
            err.println("rolling-deploy: " + e.getMessage());
            return e.exitStatus();
        }
    }

    private static ZooKeeperCluster connect(Inventory inventory, PrintStream err) throws InterruptedException {
        try {
            return ZooKeeperCluster.connect(inventory.zookeeper(), inventory.cluster(), ZOOKEEPER_TIMEOUT);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            err.println("rolling-deploy: cannot use ZooKeeper at " + inventory.zookeeper() + " (cluster '"
                    + inventory.cluster() + "'): " + e.getMessage() + "; nothing was restarted");
            return null;
        }
    }

    /** Every option with its values ({@code --name value} or {@code --name=value}; lists may repeat). */
    static Map<String, List<String>> parse(String[] args) {
        Map<String, List<String>> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                options.put("help", List.of());
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            String name = arg.substring(2, equals < 0 ? arg.length() : equals);
            if (!VALUED.contains(name)) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (equals < 0 && i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            options.computeIfAbsent(name, key -> new ArrayList<>()).add(equals < 0 ? args[++i] : arg.substring(equals + 1));
        }
        return options;
    }

    static Inventory inventory(Map<String, List<String>> options) throws IOException {
        boolean listed = options.containsKey("application") || options.containsKey("presentation");
        if (!listed) {
            String dir = options.containsKey("local-cluster") ? last(options, "local-cluster")
                    : defaultLocalCluster().toString();
            Inventory local = Inventory.localCluster(Path.of(dir));
            return new Inventory(local.nodes(), options.containsKey("zookeeper") ? last(options, "zookeeper")
                    : local.zookeeper(), options.containsKey("cluster") ? last(options, "cluster") : local.cluster());
        }
        if (options.containsKey("local-cluster")) {
            throw new IllegalArgumentException("--local-cluster or --application/--presentation, not both");
        }
        if (!options.containsKey("zookeeper") || !options.containsKey("cluster")
                || !options.containsKey("restart-command")) {
            throw new IllegalArgumentException("servers named on the command line need --zookeeper, --cluster and "
                    + "--restart-command");
        }
        List<DeployNode> nodes = new ArrayList<>();
        for (DeployNode.Kind kind : DeployNode.Kind.values()) {
            for (String value : options.getOrDefault(kind.word(), List.of())) {
                for (String entry : value.split(",")) {
                    if (!entry.isBlank()) {
                        nodes.add(Inventory.parseNode(kind, entry));
                    }
                }
            }
        }
        return new Inventory(nodes, last(options, "zookeeper"), last(options, "cluster"));
    }

    static DeploySettings settings(Map<String, List<String>> options, Settings values) {
        DeploySettings.Builder builder = DeploySettings.builder()
                .drainTimeout(values.duration("drain-timeout", DeploySettings.DEFAULT_DRAIN_TIMEOUT))
                .leaveTimeout(values.duration("leave-timeout", DeploySettings.DEFAULT_LEAVE_TIMEOUT))
                .readyTimeout(values.duration("ready-timeout", DeploySettings.DEFAULT_READY_TIMEOUT))
                .settleTimeout(values.duration("settle-timeout", DeploySettings.DEFAULT_SETTLE_TIMEOUT))
                .pause(values.duration("pause", DeploySettings.DEFAULT_PAUSE))
                .commandTimeout(values.duration("command-timeout", DeploySettings.DEFAULT_COMMAND_TIMEOUT))
                .failureTimeout(values.duration("failure-timeout", DeploySettings.DEFAULT_FAILURE_TIMEOUT));
        if (options.containsKey("restart-command")) {
            builder.restartCommand(last(options, "restart-command"));
        }
        return builder.build();
    }

    private static Map<String, String> single(Map<String, List<String>> options) {
        Map<String, String> values = new HashMap<>();
        options.forEach((name, list) -> values.put(name, list.isEmpty() ? "" : list.get(list.size() - 1)));
        return values;
    }

    private static String last(Map<String, List<String>> options, String name) {
        List<String> values = options.get(name);
        return values.get(values.size() - 1);
    }

    /** The local cluster {@code bin/local-cluster} runs: {@code local-cluster-data} of the checkout. */
    private static Path defaultLocalCluster() {
        String home = System.getProperty("duet.home", System.getenv("DUET_HOME"));
        return Path.of(home == null || home.isBlank() ? "" : home).toAbsolutePath().resolve("local-cluster-data");
    }

    static String usage() {
        return String.join("\n",
                "usage: deploy/bin/rolling-deploy [--local-cluster DIR] [options]",
                "       deploy/bin/rolling-deploy --zookeeper HOST:PORT --cluster NAME --restart-command CMD",
                "                                 --application SERVER_ID=HOST:ADMIN_PORT[,...]",
                "                                 --presentation [NAME=]HOST:ADMIN_PORT[,...] [options]",
                "Restarts every application server, then every presentation server, one at a time; each waits",
                "for the server to leave cleanly (shards handed over / clients drained) and to come back ready.",
                "Stops at the first failure, saying which step and server, what it saw, and what the other",
                "servers say now.",
                "  --local-cluster DIR      a local cluster's data folder (default: local-cluster-data of the",
                "                           checkout); its servers, ZooKeeper and cluster name are read there",
                "  --restart-command CMD    restarts one server; placeholders {name} {host} {kind} {pid}",
                "                           (default for a local cluster: '" + DeploySettings.LOCAL_RESTART_COMMAND
                        + "', its supervisor starts it again)",
                "                           e.g. 'ssh {host} sudo systemctl restart duet-{kind}'",
                "  --drain-timeout D        a presentation server's drain (default "
                        + DeploySettings.DEFAULT_DRAIN_TIMEOUT.toSeconds() + "s)",
                "  --leave-timeout D        an application server handing its shards over (default "
                        + DeploySettings.DEFAULT_LEAVE_TIMEOUT.toSeconds() + "s)",
                "  --ready-timeout D        a restarted server answering GET /ready 200 (default "
                        + DeploySettings.DEFAULT_READY_TIMEOUT.toSeconds() + "s)",
                "  --settle-timeout D       the shard map owning every shard again (default "
                        + DeploySettings.DEFAULT_SETTLE_TIMEOUT.toSeconds() + "s)",
                "  --pause D                after each server, for the load balancer's health checks (default "
                        + DeploySettings.DEFAULT_PAUSE.toSeconds() + "s)",
                "  --command-timeout D      the restart command (default "
                        + DeploySettings.DEFAULT_COMMAND_TIMEOUT.toSeconds() + "s)",
                "  --failure-timeout D      the application servers' cluster.failure-timeout: a heartbeat lagging",
                "                           more than this means a dead server (default "
                        + DeploySettings.DEFAULT_FAILURE_TIMEOUT.toMillis() + "ms, the servers' default)",
                "Exit status: 0 done; 1 usage; 2 ZooKeeper unreachable; 3 the cluster was not healthy before the",
                "deploy (nothing restarted); 4 a step failed and the deploy stopped there.",
                "");
    }
}
