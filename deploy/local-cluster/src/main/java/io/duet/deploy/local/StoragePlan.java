package io.duet.deploy.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a local cluster's servers keep their data: in its own HBase (found through its own ZooKeeper) and
 * S3Proxy, or in those of another, running cluster ({@link LocalClusterBuilder#sharedStorage}); and the
 * settings that tell the application servers so.
 */
final class StoragePlan {
    /** The ZooKeeper through which HBase clients find the HBase: {@code host:port}. */
    final String hbaseZookeeperConnect;
    /** This cluster's own S3Proxy, or null (S3 turned off, or the storage cluster's). */
    final LocalS3 ownS3;
    /** The application servers' S3 settings; empty without S3. */
    final Map<String, String> s3Settings;

    private StoragePlan(String hbaseZookeeperConnect, LocalS3 ownS3, Map<String, String> s3Settings) {
        this.hbaseZookeeperConnect = hbaseZookeeperConnect;
        this.ownS3 = ownS3;
        this.s3Settings = s3Settings;
    }

    /**
     * @param ownZookeeperConnect this cluster's ZooKeeper, which its own HBase uses
     */
    static StoragePlan of(LocalClusterBuilder builder, Path dataDir, String ownZookeeperConnect) throws IOException {
        LocalCluster storage = builder.storage;
        if (storage == null) {
            LocalS3 s3 = builder.s3 ? LocalS3.loadOrCreate(dataDir) : null;
            return new StoragePlan(ownZookeeperConnect, s3, s3 == null ? Map.of() : s3.serverSettings());
        }
        if (builder.s3 && storage.s3Settings().isEmpty()) {
            throw new IllegalArgumentException("this cluster wants S3, and its storage cluster has none");
        }
        // Names the storage's folder for tools that look for the cluster's processes (bin/duet-load's CPU).
        Files.writeString(dataDir.resolve("conf/storage-dir"), storage.dataDir().toString() + "\n");
        return new StoragePlan(storage.hbaseZookeeperConnect(), null, builder.s3 ? storage.s3Settings() : Map.of());
    }


    /** The application servers' settings for HBase ({@code hbase.*}) and S3 ({@code s3.*}). */
    Map<String, String> serverSettings(String hbaseNamespace, boolean preSplitTables) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("hbase.zookeeper.quorum", hbaseZookeeperConnect.split(":")[0]);
        settings.put("hbase.zookeeper.port", hbaseZookeeperConnect.split(":")[1]);
        settings.put("hbase.namespace", hbaseNamespace);
        settings.put("hbase.pre-split", Boolean.toString(preSplitTables));
        settings.putAll(s3Settings);
        return settings;
    }
}
