package io.duet.admin.deploy;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The servers a deploy restarts, in order (application servers first, then presentation servers, each
 * kind in the order given), and the ZooKeeper and cluster name their shard map is under.
 */
record Inventory(List<DeployNode> nodes, String zookeeper, String cluster) {
    private static final Pattern ENTRY = Pattern.compile("(?:([A-Za-z0-9._-]+)=)?([A-Za-z0-9.-]+):(\\d{1,5})");
    private static final Pattern LOCAL_NODE = Pattern.compile("(app|presentation)-\\d+");

    Inventory {
        nodes = nodes.stream().sorted(Comparator.comparing(DeployNode::kind)).toList();
    }

    List<DeployNode> applicationServers() {
        return nodes.stream().filter(node -> node.kind() == DeployNode.Kind.APPLICATION).toList();
    }

    /**
     * The servers of the local cluster whose data folder is {@code dataDir}: every {@code app-N} and
     * {@code presentation-N} with a settings file in {@code conf/} (app-2 before app-10), each found through the ready file it
     * writes in {@code run/}; ZooKeeper from {@code conf/ports.properties}, the cluster name from the
     * servers' settings.
     */
    static Inventory localCluster(Path dataDir) throws IOException {
        Path conf = dataDir.resolve("conf");
        if (!Files.isDirectory(conf)) {
            throw new IOException(dataDir + " is not a local cluster's data folder (no conf/ in it)");
        }
        List<DeployNode> nodes = new ArrayList<>();
        String cluster = null;
        try (Stream<Path> files = Files.list(conf)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
                Matcher matcher = LOCAL_NODE.matcher(name);
                if (!file.toString().endsWith(".properties") || !matcher.matches()) {
                    continue;
                }
                DeployNode.Kind kind = matcher.group(1).equals("app") ? DeployNode.Kind.APPLICATION
                        : DeployNode.Kind.PRESENTATION;
                nodes.add(new DeployNode(name, kind, "127.0.0.1",
                        DeployNode.readyFile(dataDir.resolve("run").resolve(name + ".ready"))));
                cluster = ReadyFile.read(file).getOrDefault("cluster.name", cluster);
            }
        }
        nodes.sort(Comparator.comparing((DeployNode node) -> node.name().length()).thenComparing(DeployNode::name));
        if (nodes.isEmpty()) {
            throw new IOException("no servers' settings in " + conf + ": has the local cluster run there?");
        }
        Map<String, String> ports = ReadyFile.read(conf.resolve("ports.properties"));
        String zookeeperPort = ports.get("zookeeper");
        if (zookeeperPort == null) {
            throw new IOException(conf.resolve("ports.properties") + " names no zookeeper port");
        }
        return new Inventory(nodes, "127.0.0.1:" + zookeeperPort, cluster == null ? "local" : cluster);
    }

    /**
     * One server named on the command line: {@code [NAME=]HOST:ADMIN_PORT}. An application server's
     * name must be its {@code server.id}; a presentation server's defaults to its host.
     */
    static DeployNode parseNode(DeployNode.Kind kind, String entry) {
        Matcher matcher = ENTRY.matcher(entry.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--" + kind.word() + ": '" + entry + "' (expected: [NAME=]HOST:ADMIN_PORT"
                    + (kind == DeployNode.Kind.APPLICATION ? ", NAME its server.id" : "") + ")");
        }
        String host = matcher.group(2);
        String name = matcher.group(1);
        if (name == null) {
            if (kind == DeployNode.Kind.APPLICATION) {
                throw new IllegalArgumentException("--application: '" + entry + "' needs the server.id: "
                        + "SERVER_ID=HOST:ADMIN_PORT");
            }
            name = host;
        }
        return new DeployNode(name, kind, host, DeployNode.fixed(URI.create("http://" + host + ':' + matcher.group(3))));
    }
}
