package io.duet.admin;

import io.duet.process.ReadyFile;
import io.duet.protocol.cluster.ClusterPaths;
import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The parsed command line: where the cluster is, how long to wait, and the command with its arguments. Immutable. */
final class AdminOptions {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
    /** The servers' default {@code cluster.failure-timeout}. */
    static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(1);

    /** Each command and the arguments it takes. */
    private static final Map<String, List<String>> COMMANDS = Map.of(
            "shards", List.of(),
            "servers", List.of(),
            "owner", List.of("couple|user", "ID"),
            "drain", List.of("SERVER"),
            "undrain", List.of("SERVER"),
            "move", List.of("SHARD", "SERVER"));
    private static final Set<String> VALUED = Set.of("zookeeper", "cluster", "hbase-zookeeper", "hbase-namespace",
            "hbase-znode-parent", "timeout", "wait", "failure-timeout");

    private final boolean help;
    private final String zookeeper;
    private final String cluster;
    private final String hbaseZookeeper;
    private final String hbaseNamespace;
    private final String hbaseZnodeParent;
    private final Duration timeout;
    private final Duration wait;
    private final Duration failureTimeout;
    private final String command;
    private final List<String> arguments;

    private AdminOptions(boolean help, Map<String, String> values, Defaults defaults, List<String> words) {
        Settings settings = Settings.of(values);
        this.help = help;
        this.zookeeper = settings.string("zookeeper", defaults.zookeeper);
        this.cluster = settings.string("cluster", defaults.cluster);
        this.hbaseZookeeper = settings.string("hbase-zookeeper", zookeeper);
        this.hbaseNamespace = settings.string("hbase-namespace", "duet");
        this.hbaseZnodeParent = settings.string("hbase-znode-parent", "/hbase");
        this.timeout = positive(settings, "timeout", DEFAULT_TIMEOUT);
        this.wait = values.containsKey("no-wait") ? Duration.ZERO : positive(settings, "wait", DEFAULT_WAIT);
        this.failureTimeout = positive(settings, "failure-timeout", DEFAULT_FAILURE_TIMEOUT);
        this.command = words.isEmpty() ? null : words.get(0);
        this.arguments = words.isEmpty() ? List.of() : List.copyOf(words.subList(1, words.size()));
    }

    /**
     * @throws AdminException with {@link AdminException#USAGE} for an unknown option or command, a missing
     *     or surplus argument, or a malformed value
     */
    static AdminOptions parse(String[] args, Defaults defaults) throws AdminException {
        Map<String, String> values = new HashMap<>();
        List<String> words = new ArrayList<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
            } else if (arg.equals("--no-wait")) {
                values.put("no-wait", "true");
            } else if (arg.startsWith("--")) {
                int equals = arg.indexOf('=');
                String name = arg.substring(2, equals < 0 ? arg.length() : equals);
                if (!VALUED.contains(name)) {
                    throw AdminException.usage("unknown option " + arg);
                }
                if (equals < 0 && i + 1 >= args.length) {
                    throw AdminException.usage(arg + " needs a value");
                }
                values.put(name, equals < 0 ? args[++i] : arg.substring(equals + 1));
            } else {
                words.add(arg);
            }
        }
        if (help) {
            return new AdminOptions(true, Map.of(), defaults, List.of());
        }
        if (words.isEmpty()) {
            throw AdminException.usage("no command given");
        }
        List<String> expected = COMMANDS.get(words.get(0));
        if (expected == null) {
            throw AdminException.usage("unknown command '" + words.get(0) + "'");
        }
        if (words.size() - 1 != expected.size()) {
            throw AdminException.usage("usage: duet-admin " + words.get(0) + (expected.isEmpty() ? "" : " ")
                    + String.join(" ", expected));
        }
        try {
            AdminOptions options = new AdminOptions(false, values, defaults, words);
            ClusterPaths.namespace(options.cluster);
            options.checkArguments();
            return options;
        } catch (SettingsException e) {
            throw AdminException.usage("--" + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw AdminException.usage(e.getMessage().replaceFirst("^clusterName: ", "--cluster: "));
        }
    }

    private static Duration positive(Settings settings, String key, Duration defaultValue) {
        Duration value = settings.duration(key, defaultValue);
        if (value.isZero()) {
            throw new IllegalArgumentException("--" + key + ": 0 (expected: a duration > 0, such as 500ms or 10s)");
        }
        return value;
    }

    private void checkArguments() {
        switch (command) {
            case "owner":
                if (!arguments.get(0).equals("couple") && !arguments.get(0).equals("user")) {
                    throw new IllegalArgumentException("owner " + arguments.get(0) + " (expected: owner couple ID"
                            + " or owner user ID)");
                }
                id();
                break;
            case "move":
                shard();
                break;
            default:
                break;
        }
    }

    /** The usage text, showing the defaults in force. */
    static String usage(Defaults defaults) {
        return String.join("\n",
                "usage: duet-admin [options] <command> [arguments]",
                "",
                "commands:",
                "  shards                 the shard map: each shard's owner, epoch and loaded couples,",
                "                         and per server its shards, couples, drain and heartbeat",
                "  servers                the application servers: endpoints, labels, status",
                "  owner couple ID        the shard of a couple and the server that owns it",
                "  owner user ID          the same for a user, and for the user's couple (reads HBase)",
                "  drain SERVER           assign SERVER no shards (it stays a member); waits for the map",
                "  undrain SERVER         give SERVER shards again; waits for the map",
                "  move SHARD SERVER      move SHARD to SERVER, swapping one of SERVER's shards back;",
                "                         waits for the map",
                "  SERVER is a server.id (app-1) or an instance id (app-1@lx4f2k) as 'servers' lists them.",
                "",
                "options:",
                "  --zookeeper HOST:PORT  the cluster's ZooKeeper (default: " + defaults.zookeeper + defaults.source + ")",
                "  --cluster NAME         the cluster's name, its cluster.name (default: " + defaults.cluster + ")",
                "  --hbase-zookeeper H:P  HBase's ZooKeeper, for 'owner user' (default: as --zookeeper)",
                "  --hbase-namespace NS   the servers' hbase.namespace (default: duet)",
                "  --hbase-znode-parent P HBase's zookeeper.znode.parent (default: /hbase)",
                "  --timeout DURATION     how long to wait for ZooKeeper or HBase (default: 5s)",
                "  --wait DURATION        how long drain, undrain and move wait for the map (default: 30s)",
                "  --no-wait              do not wait: write the request and return",
                "  --failure-timeout D    heartbeat lag past which a server is suspected, as the servers'",
                "                         cluster.failure-timeout (default: 1s)",
                "",
                "exit status: 0 done; 1 usage error; 2 ZooKeeper or HBase unreachable; 3 not found or",
                "refused (unknown server, shard, user or cluster); 4 requested, but the map did not",
                "reflect it within --wait; 5 any other failure.");
    }

    boolean help() {
        return help;
    }

    String zookeeper() {
        return zookeeper;
    }

    String cluster() {
        return cluster;
    }

    String hbaseZookeeper() {
        return hbaseZookeeper;
    }

    String hbaseNamespace() {
        return hbaseNamespace;
    }

    String hbaseZnodeParent() {
        return hbaseZnodeParent;
    }

    Duration timeout() {
        return timeout;
    }

    /** Zero with {@code --no-wait}. */
    Duration waitFor() {
        return wait;
    }

    Duration failureTimeout() {
        return failureTimeout;
    }

    String command() {
        return command;
    }

    List<String> arguments() {
        return arguments;
    }

    /** The id of {@code owner couple|user ID}. */
    long id() {
        try {
            return Long.parseLong(arguments.get(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ID: " + arguments.get(1) + " (expected: a number)");
        }
    }

    /** The shard of {@code move SHARD SERVER}. */
    int shard() {
        try {
            return Integer.parseInt(arguments.get(0));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SHARD: " + arguments.get(0) + " (expected: a shard number)");
        }
    }

    /**
     * Where the cluster is when no option says: the local cluster of a Duet checkout, if one has run
     * there ({@code local-cluster-data/conf}: the ZooKeeper port in {@code ports.properties}, the
     * cluster's name in the servers' settings files); else, in an unpacked distribution, the application
     * server's settings ({@code conf/application-server.properties}: {@code zookeeper.connect} and
     * {@code cluster.name}, each if present); else {@code 127.0.0.1:2181} and {@code duet}.
     */
    static final class Defaults {
        static final Defaults STANDARD = new Defaults("127.0.0.1:2181", "duet", "");

        final String zookeeper;
        final String cluster;
        /** Where the ZooKeeper default comes from, for the usage text. */
        final String source;

        Defaults(String zookeeper, String cluster, String source) {
            this.zookeeper = zookeeper;
            this.cluster = cluster;
            this.source = source;
        }

        /** The defaults for a Duet checkout or an unpacked distribution at {@code home}. */
        static Defaults of(Path home) {
            Defaults local = localCluster(home.resolve("local-cluster-data").resolve("conf"));
            if (local != null) {
                return local;
            }
            Defaults installed = installation(home.resolve("conf").resolve("application-server.properties"));
            return installed != null ? installed : STANDARD;
        }

        private static Defaults localCluster(Path conf) {
            Path ports = conf.resolve("ports.properties");
            if (!Files.isReadable(ports)) {
                return null;
            }
            try {
                String port = ReadyFile.read(ports).get("zookeeper");
                if (port == null) {
                    return null;
                }
                String cluster = STANDARD.cluster;
                try (Stream<Path> files = Files.list(conf)) {
                    for (Path file : files.filter(f -> f.toString().endsWith(".properties") && !f.equals(ports))
                            .sorted().toArray(Path[]::new)) {
                        String name = ReadyFile.read(file).get("cluster.name");
                        if (name != null) {
                            cluster = name;
                            break;
                        }
                    }
                }
                return new Defaults("127.0.0.1:" + port, cluster, ", from " + ports);
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
        }

        private static Defaults installation(Path settings) {
            if (!Files.isReadable(settings)) {
                return null;
            }
            try {
                Map<String, String> values = ReadyFile.read(settings);
                String zookeeper = nonBlank(values.get("zookeeper.connect"));
                String cluster = nonBlank(values.get("cluster.name"));
                return new Defaults(zookeeper != null ? zookeeper : STANDARD.zookeeper,
                        cluster != null ? cluster : STANDARD.cluster,
                        zookeeper != null ? ", from " + settings : "");
            } catch (IOException | IllegalArgumentException e) {
                return null;
            }
        }

        private static String nonBlank(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }
}
