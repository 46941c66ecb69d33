package io.duet.deploy.s3;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import io.duet.security.SecretFiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 API of the local cluster and the tests: S3Proxy over a folder, as a main class, on 127.0.0.1,
 * with AWS signatures (V2 or V4) checked against one access key.
 *
 * <p>Usage: {@code StandaloneS3 <dataDir> <port> <accessKey> <secretKeyFile> <bucket> <readyFile>}. Port 0
 * takes any free port. The bucket is created if missing. The ready file gives the real endpoint
 * ({@code s3.endpoint}) once S3Proxy serves. SIGTERM stops it; the objects stay in the folder.
 */
public final class StandaloneS3 {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneS3.class);

    private StandaloneS3() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: StandaloneS3 <dataDir> <port> <accessKey> <secretKeyFile> <bucket> <readyFile>");
            System.exit(2);
        }
        ParentWatch.exitWithParent();
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String accessKey = args[2];
        String secretKey = SecretFiles.readPrivate("s3 secret key", Path.of(args[3]));
        String bucket = args[4];
        Path readyFile = Path.of(args[5]);
        Files.createDirectories(dataDir);

        long started = System.nanoTime();
        BlobStore store = new FilesystemNio2BlobStore(dataDir.toString());
        if (!store.containerExists(bucket)) {
            store.createContainer(bucket);
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy), "s3-shutdown"));
        proxy.start();
        awaitStarted(proxy);
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        LOG.info("S3Proxy is up at {} in {} ms, bucket {}, objects in {}", endpoint,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), bucket, dataDir);
        ReadyFile.write(readyFile, Map.of("s3.endpoint", endpoint, "s3.bucket", bucket));
        Thread.currentThread().join();
    }

    private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 60 s: " + proxy.getState());
            }
            Thread.sleep(20);
        }
    }

    private static void stop(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception e) {
            LOG.warn("S3Proxy did not stop cleanly", e);
        }
    }
}
