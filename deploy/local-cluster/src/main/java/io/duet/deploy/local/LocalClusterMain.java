package io.duet.deploy.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/local-cluster}: starts a local cluster in the foreground, prints where clients connect and
 * where the logs are, and stops every process cleanly on Ctrl-C.
 */
public final class LocalClusterMain {
    private LocalClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalCluster.Builder builder = LocalCluster.builder().basePort(7400);
        Path dataDir = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--data-dir":
                    dataDir = Path.of(value(args, ++i, arg));
                    break;
                case "--app-servers":
                    builder.applicationServers(Integer.parseInt(value(args, ++i, arg)));
                    break;
                case "--presentation-servers":
                    builder.presentationServers(Integer.parseInt(value(args, ++i, arg)));
                    break;
                case "--shards":
                    builder.shards(Integer.parseInt(value(args, ++i, arg)));
                    break;
                case "--base-port":
                    builder.basePort(Integer.parseInt(value(args, ++i, arg)));
                    break;
                case "-h":
                case "--help":
                    usage(System.out);
                    return;
                default:
                    System.err.println("unknown option: " + arg);
                    usage(System.err);
                    System.exit(2);
            }
        }
        Path home = ModuleClasspath.detectHome();
        builder.home(home).dataDir(dataDir != null ? dataDir : home.resolve("local-cluster-data"));
        LocalCluster cluster = builder.build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping the local cluster...");
            try {
                cluster.close();
                System.out.println("Stopped.");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "local-cluster-shutdown"));

        System.out.println("Starting the Duet local cluster (data in " + cluster.dataDir() + ")...");
        try {
            cluster.start();
        } catch (Exception e) {
            System.err.println("The local cluster failed to start: " + e.getMessage());
            System.err.println("Logs: " + cluster.logDir());
            System.exit(1);
        }
        printSummary(cluster, System.out);
        stopped.await();
    }

    private static void printSummary(LocalCluster cluster, PrintStream out) {
        out.println();
        out.printf("Duet local cluster is up in %.1f s.%n", cluster.lastStartupTime().toMillis() / 1000.0);
        out.println();
        out.println("Client endpoints:");
        for (int i = 0; i < cluster.presentationServers().size(); i++) {
            out.printf("  %-16s tcp %s   http %s%n", cluster.presentationServers().get(i).name(),
                    hostPort(cluster.clientTcpEndpoint(i)), cluster.clientHttpEndpoint(i));
        }
        out.println();
        out.println("Admin endpoints (GET /live, /ready, /metrics):");
        for (Node node : cluster.nodes()) {
            node.adminEndpoint().ifPresent(admin -> out.printf("  %-16s %s%n", node.name(), admin));
        }
        out.println();
        out.println("Processes:");
        for (Node node : cluster.nodes()) {
            out.printf("  %-16s pid %-8d log %s%n", node.name(), node.pid(), node.logFile());
        }
        out.println();
        out.println("ZooKeeper: " + cluster.zookeeperConnect() + "   data: " + cluster.dataDir());
        out.println("Try it:   bin/duet --help");
        out.println("Press Ctrl-C to stop everything.");
    }

    private static String hostPort(java.net.InetSocketAddress address) {
        return address.getHostString() + ':' + address.getPort();
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            System.err.println(option + " needs a value");
            System.exit(2);
        }
        return args[index];
    }

    private static void usage(PrintStream out) {
        out.println("usage: bin/local-cluster [--data-dir DIR] [--app-servers N] [--presentation-servers N]");
        out.println("                         [--shards N] [--base-port PORT]");
        out.println("Starts ZooKeeper, HBase, N application and N presentation servers on 127.0.0.1.");
        out.println("Defaults: 2 and 2 servers, 64 shards (fixed when the data folder is first used),");
        out.println("ports from 7400 (ZooKeeper 7400, client TCP 7410+, client HTTP 7420+),");
        out.println("data in ./local-cluster-data of the checkout.");
    }
}
