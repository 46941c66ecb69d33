package io.duet.it;

import io.duet.deploy.local.LocalCluster;

/**
 * One local cluster (ZooKeeper, two application and two presentation servers, each its own process, on
 * {@link SharedStorage}'s HBase and S3Proxy) shared by the integration tests of this JVM, started on first
 * use, and stopped when the JVM exits. Tests that restart or break the cluster use a {@link PrivateCluster}.
 */
public final class SharedCluster {
    private static LocalCluster cluster;

    private SharedCluster() {
    }

    public static synchronized LocalCluster get() throws Exception {
        if (cluster == null) {
            LocalCluster started = SharedStorage.clusterBuilder("shared").applicationServers(2).presentationServers(2)
                    .preSplitTables(false).s3(true) // S3: PhotosIT, PythonClientIT, AuthorizationMatrixIT's photo calls
                    // Typing turns itself off after 3 s instead of 8: ChatEndToEndIT waits for it.
                    .serverSetting("couples.typing-timeout", "3s").build();
            SharedStorage.closeAtExit(started);
            started.start();
            cluster = started;
        }
        return cluster;
    }
}
