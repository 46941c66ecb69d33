package io.duet.deploy.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/local-cluster}: starts a local cluster in the foreground, prints where clients connect and
 * where the logs are ({@link ClusterSummary}), and stops every process cleanly on Ctrl-C. While it runs
 * it heals the cluster ({@link SupervisionSettings#defaults()}): a node that dies is logged with its exit
 * status and restarted, and a crash loop is reported (unless {@code --no-restart}).
 */
public final class LocalClusterMain {
    private LocalClusterMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalClusterBuilder builder = LocalCluster.builder().basePort(7400).supervise(SupervisionSettings.defaults());
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
                case "--haproxy":
                    builder.haproxy(value(args, ++i, arg));
                    break;
                case "--server-setting": {
                    String setting = value(args, ++i, arg);
                    int equals = setting.indexOf('=');
                    if (equals < 1) {
                        System.err.println(arg + " needs KEY=VALUE, not " + setting);
                        System.exit(2);
                    }
                    builder.serverSetting(setting.substring(0, equals), setting.substring(equals + 1));
                    break;
                }
                case "--jvm-option":
                    try {
                        builder.nodeJvmOption(value(args, ++i, arg));
                    } catch (IllegalArgumentException e) {
                        System.err.println(arg + ": " + e.getMessage());
                        System.exit(2);
                    }
                    break;
                case "--client-tls":
                    builder.clientTls(true);
                    break;
                case "--no-restart":
                    builder.supervise(null);
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
        cluster.loadBalancerMissing().ifPresent(System.out::println);

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
        System.out.print(ClusterSummary.of(cluster).text());
        stopped.await();
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
        out.println("                         [--shards N] [--base-port PORT] [--haproxy PATH] [--no-restart]");
        out.println("                         [--client-tls] [--server-setting KEY=VALUE]... [--jvm-option OPT]...");
        out.println("Starts ZooKeeper, HBase, N application and N presentation servers on 127.0.0.1, and");
        out.println("HAProxy in front of the presentation servers as the one client endpoint. --client-tls:");
        out.println("TLS on the client ports, certificate from the cluster's CA (tls/ca.pem), shared ticket keys.");
        out.println("Defaults: 2 and 2 servers, 64 shards (fixed when the data folder is first used),");
        out.println("ports from 7400 (ZooKeeper 7400, client endpoint TCP 7401 and HTTP 7402, presentation");
        out.println("servers' client TCP 7410+, HTTP 7420+, admin 7430+ and agent check 7440+), haproxy from");
        out.println("$PATH (without it, clients use presentation-1 directly), data in ./local-cluster-data of");
        out.println("the checkout. --server-setting sets one of the servers' settings (as in their properties");
        out.println("files), for example --server-setting hbase.commits-per-region=false; it may be repeated.");
        out.println("--jvm-option adds a JVM option to every Java process the cluster starts (after its own),");
        out.println("for example --jvm-option -XX:+UseZGC; it may be repeated.");
        out.println("A node that dies is logged with its exit status and restarted after 1 s, 2 s, 4 s...");
        out.println("(at most 30 s); after 5 deaths within 5 minutes it is reported as a crash loop and left");
        out.println("down. --no-restart leaves dead nodes down.");
    }
}
