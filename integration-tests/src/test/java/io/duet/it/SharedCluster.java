package io.duet.it;

import io.duet.deploy.local.LocalCluster;

/**
 * One local cluster (ZooKeeper, HBase, S3Proxy for the photo tests, two application and two presentation
 * servers, each its own process) shared by the integration tests of this JVM, started on first use by the
 * launcher users run, and stopped when the JVM exits. Tests that restart or break the cluster use a {@link PrivateCluster}.
 */
public final class SharedCluster {
    private static LocalCluster cluster;

    private SharedCluster() {
    }

    public static synchronized LocalCluster get() throws Exception {
        if (cluster == null) {
            LocalCluster started = LocalCluster.builder().applicationServers(2).presentationServers(2)
                    .preSplitTables(false).s3(true).build(); // S3: PhotosIT, AuthorizationMatrixIT's photo calls
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shared-cluster-shutdown"));
            started.start();
            cluster = started;
        }
        return cluster;
    }
}
