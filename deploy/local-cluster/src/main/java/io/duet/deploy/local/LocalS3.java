package io.duet.deploy.local;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local cluster's S3 API: S3Proxy in its own JVM ({@code deploy/local-s3}), objects under the data
 * folder's {@code s3/}, on 127.0.0.1. Its port is chosen once per data folder, like every other port of the
 * cluster ({@code conf/s3.properties}), because the application servers' settings and the presigned URLs
 * they hand out name it: a restarted cluster must answer them. S3Proxy reports the endpoint it really bound
 * in its ready file, which {@link #checkEndpoint} compares. It checks AWS signatures against one access key
 * whose secret lives in {@code conf/s3-secret-key}, readable by its owner only.
 */
final class LocalS3 {
    static final String BUCKET = "duet-photos";
    static final String REGION = "us-east-1";
    static final String ACCESS_KEY = "duet-local";

    final int port;
    final Path secretKeyFile;

    private LocalS3(int port, Path secretKeyFile) {
        this.port = port;
        this.secretKeyFile = secretKeyFile;
    }

    /** The S3 of the cluster in {@code dataDir}: its saved port and secret, or new ones. */
    static LocalS3 loadOrCreate(Path dataDir) throws IOException {
        Path planFile = dataDir.resolve("conf/s3.properties");
        Map<String, String> plan = new TreeMap<>(Files.exists(planFile) ? ReadyFile.read(planFile) : Map.of());
        if (!plan.containsKey("port")) {
            plan.put("port", Integer.toString(PortPlan.freePort(Map.of())));
            ReadyFile.write(planFile, plan);
        }
        Path secretKeyFile = dataDir.resolve("conf/s3-secret-key");
        DataFiles.loadOrCreateSecret(secretKeyFile);
        return new LocalS3(Integer.parseInt(plan.get("port")), secretKeyFile);
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** What the application servers are told: the keys a production deployment sets for real S3. */
    Map<String, String> serverSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("s3.endpoint", endpoint());
        settings.put("s3.bucket", BUCKET);
        settings.put("s3.region", REGION);
        settings.put("s3.access-key", ACCESS_KEY);
        settings.put("s3.secret-key-file", secretKeyFile.toString());
        settings.put("s3.path-style", "true");
        return settings;
    }

    /** The node's arguments before its ready file; see {@code io.duet.deploy.s3.StandaloneS3}. */
    java.util.List<String> arguments(Path dataDir) {
        return java.util.List.of(dataDir.resolve("s3").toString(), Integer.toString(port), ACCESS_KEY,
                secretKeyFile.toString(), BUCKET);
    }

    /** Fails when the started node serves elsewhere than the servers were told. */
    void checkEndpoint(Map<String, String> readyInfo) throws IOException {
        String actual = readyInfo.get("s3.endpoint");
        if (!endpoint().equals(actual)) {
            throw new IOException("S3Proxy serves at " + actual + ", not at " + endpoint() + " as planned");
        }
    }
}
