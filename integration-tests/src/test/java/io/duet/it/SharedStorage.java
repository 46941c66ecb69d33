package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.LocalClusterBuilder;

/**
 * The storage the integration tests of this JVM share: one HBase (with its ZooKeeper) and one S3Proxy,
 * started on first use and stopped when the JVM exits. Each test cluster keeps its tables in a namespace
 * of its own ({@link LocalClusterBuilder#sharedStorage}), so starting one costs no HBase start, the
 * slowest part of a local cluster's start. Tests that stop or measure HBase start their own
 * ({@link PrivateCluster#withOwnStorage()}).
 */
final class SharedStorage {
    private static LocalCluster storage;
    /** Clusters on the storage that live until the JVM exits: closed before it. */
    private static final java.util.List<LocalCluster> tenants = new java.util.ArrayList<>();

    private SharedStorage() {
    }

    /** A builder of a test cluster that keeps its data in the shared storage, in HBase namespace {@code namespace}. */
    static synchronized LocalClusterBuilder clusterBuilder(String namespace) throws Exception {
        return cheapPasswordHashes(LocalCluster.builder().sharedStorage(get(), namespace));
    }

    /**
     * Gives a test cluster's servers cheap password hashes: Argon2id over 1 MiB in one pass instead of
     * production's 19 MiB in two (OWASP's minimum), about 5 ms a hash instead of 50 to 200 (600 cold) on a
     * busy 2-core box. The tests sign up and log in hundreds of users, and none is about the hash's cost.
     */
    static LocalClusterBuilder cheapPasswordHashes(LocalClusterBuilder builder) {
        return builder.serverSetting("password.argon2.memory-kib", "1024")
                .serverSetting("password.argon2.iterations", "1");
    }

    /** Closes {@code cluster}, a cluster on the storage, when the JVM exits, before the storage itself. */
    static synchronized void closeAtExit(LocalCluster cluster) {
        tenants.add(cluster);
    }

    private static LocalCluster get() throws Exception {
        if (storage == null) {
            LocalCluster started = LocalCluster.builder().clusterName("storage").applicationServers(0)
                    .presentationServers(0).s3(true).build();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    synchronized (SharedStorage.class) {
                        for (LocalCluster tenant : tenants) {
                            tenant.close();
                        }
                    }
                    started.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "shared-storage-shutdown"));
            started.start();
            storage = started;
        }
        return storage;
    }
}
