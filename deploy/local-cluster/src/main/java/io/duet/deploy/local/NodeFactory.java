package io.duet.deploy.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Makes the processes of a local cluster: the command line, classpath, settings file, log and ready
 * file of each node. The servers get the same settings keys a production deployment uses.
 */
final class NodeFactory {
    private final Path home;
    private final Path dataDir;
    private final Path logDir;

    NodeFactory(Path home, Path dataDir, Path logDir) {
        this.home = home;
        this.dataDir = dataDir;
        this.logDir = logDir;
    }

    NodeProcess zookeeper(int port) {
        return node("zookeeper", NodeKind.ZOOKEEPER, List.of("-Xmx128m"), ModuleClasspath.of(home, "deploy/local-cluster"),
                "io.duet.deploy.zookeeper.StandaloneZooKeeper",
                List.of(dataDir.resolve("zookeeper").toString(), Integer.toString(port)), Duration.ofSeconds(60));
    }

    NodeProcess hbase(int zookeeperPort) {
        return node("hbase", NodeKind.HBASE,
                List.of("-Xmx1g", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                        "--add-opens", "java.base/java.lang=ALL-UNNAMED"),
                ModuleClasspath.of(home, "deploy/local-hbase"), "io.duet.deploy.hbase.StandaloneHBase",
                List.of(dataDir.resolve("hbase").toString(), Integer.toString(zookeeperPort)),
                Duration.ofSeconds(180));
    }

    private NodeProcess node(String name, NodeKind kind, List<String> jvmOptions, String classpath,
            String mainClass, List<String> arguments, Duration startTimeout) {
        Path readyFile = dataDir.resolve("run").resolve(name + ".ready");
        List<String> args = new ArrayList<>(arguments);
        args.add(readyFile.toString());
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-XX:+ExitOnOutOfMemoryError");
        return new NodeProcess(name, kind, options, classpath, mainClass, args, logDir.resolve(name + ".log"),
                readyFile, startTimeout);
    }

    /** A Duet server of {@code module}, configured by a properties file written from {@code settings}. */
    NodeProcess server(String name, NodeKind kind, String heap, String module, String mainClass,
            Map<String, String> settings) throws IOException {
        Path config = dataDir.resolve("conf").resolve(name + ".properties");
        StringBuilder content = new StringBuilder("# Written by LocalCluster; the same keys configure production.\n");
        settings.forEach((key, value) -> content.append(key).append('=').append(value).append('\n'));
        Files.writeString(config, content, StandardCharsets.UTF_8);
        Path readyFile = dataDir.resolve("run").resolve(name + ".ready");
        // Pauses are logged beside the node's log, one file per process (%p), so a stall can be told from a GC.
        String gcLog = "-Xlog:gc:file=" + logDir.resolve(name + "-gc-%p.log") + ":time,uptime:filecount=2,filesize=5m";
        return new NodeProcess(name, kind, List.of(heap, "-XX:+ExitOnOutOfMemoryError", gcLog,
                "--add-opens", "java.base/java.nio=ALL-UNNAMED"), ModuleClasspath.of(home, module), mainClass,
                List.of("--config", config.toString(), "--ready-file", readyFile.toString()),
                logDir.resolve(name + ".log"), readyFile, Duration.ofSeconds(90));
    }
}
