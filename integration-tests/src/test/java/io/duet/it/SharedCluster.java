package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.LocalClusterBuilder;

/**
 * One local cluster (ZooKeeper, two application and two presentation servers, each its own process, on
 * {@link SharedStorage}'s HBase and S3Proxy) shared by the integration tests of this JVM, started on first
 * use, and stopped when the JVM exits. Tests that restart or break the cluster use a {@link PrivateCluster}.
 *
 * <p>Its JVMs run {@link PrivateCluster#QUICK_START_JVM_OPTIONS} (C1 alone) and its application servers join
 * without the warm-up, like a private cluster's by default: no test here measures how fast Duet is, and with
 * production's C2 compilers the cluster's start took 53 s of a slower 2-core box (Intel Xeon at 2.0 GHz), and
 * kept compiling beside the next test classes, which measure stalls.
 */
public final class SharedCluster {
    private static LocalCluster cluster;

    private SharedCluster() {
    }

    public static synchronized LocalCluster get() throws Exception {
        if (cluster == null) {
            LocalClusterBuilder builder = SharedStorage.clusterBuilder("shared").applicationServers(2)
                    .presentationServers(2).preSplitTables(false)
                    .s3(true) // S3: PhotosIT, PythonClientIT, AuthorizationMatrixIT's photo calls
                    // Typing turns itself off after 3 s instead of 8: ChatEndToEndIT waits for it.
                    .serverSetting("couples.typing-timeout", "3s")
                    .serverSetting("cluster.warm-up-timeout", "0s");
            PrivateCluster.QUICK_START_JVM_OPTIONS.forEach(builder::nodeJvmOption);
            LocalCluster started = builder.build();
            SharedStorage.closeAtExit(started);
            started.start();
            cluster = started;
        }
        return cluster;
    }
}
