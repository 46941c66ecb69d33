package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.PhotoRows;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.cluster.Shards;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.thrift.TException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The couple's profile and lifecycle on a local cluster with S3Proxy (docs/COUPLE-LIFECYCLE.md): nicknames
 * and their event; a photo's delete event; an abandoned upload swept from the bucket; unpairing, refused with a
 * wrong password and then, with the right one, ending the partner's session with COUPLE_CLOSED and deleting
 * the couple's objects from the bucket (another couple's stay); pairing again; and account deletion, after which the couple's objects (2,500 more put
 * straight into the bucket among them) are gone, the log-in fails and the partner is told. The bucket is
 * listed with the AWS SDK, not through Duet.
 */
class CoupleLifecycleIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "correct horse battery";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** More than two DeleteObjects requests' worth. */
    private static final int BULK_OBJECTS = 2500;

    /**
     * The cluster's own bucket in the shared storage's S3Proxy, made by the test: it lists the bucket, and the
     * other test clusters fill theirs. (Storage of its own would cost an HBase start.)
     */
    private static final String BUCKET = "duet-photos-lifecycle";
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1).withS3()
            .withServerSetting("s3.bucket", BUCKET)
            .withServerSetting("photos.sweep-interval", "500ms")
            .withServerSetting("photos.abandoned-upload-after", "4s");

    @TempDir
    Path dir;

    @Test
    void nicknamesUnpairingAndAccountDeletionDeleteTheCouplesDataAndTellThePartner() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        try (S3Client s3 = s3(cluster.s3Settings())) {
            s3.createBucket(request -> request.bucket(BUCKET));
        }
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String annEmail = TestCouple.uniqueEmail("ann");
        String bobEmail = TestCouple.uniqueEmail("bob");
        Session annAlone = annHttp.signUp(annEmail, PASSWORD, "Ann");
        Session bobAlone = bobHttp.signUp(bobEmail, PASSWORD, "Bob");
        expectError(ErrorCode.NOT_PAIRED, () -> annHttp.coupleProfile(annAlone.getToken()));
        Session[] couple = pair(annHttp, annAlone, bobHttp, bobAlone);
        Session ann = couple[0];
        Session bob = couple[1];
        long coupleId = ann.getCoupleId();

        // Another couple, whose photo must survive everything below.
        TestCouple others = TestCouple.pair(cluster);
        Photo theirs = annHttp.uploadPhoto(others.ann.getToken(), write("theirs.png", image(60, 40, "png")), null);
        try (S3Client s3 = s3(cluster.s3Settings())) {
            String bucket = BUCKET;
            Set<String> othersObjects = keys(s3, bucket, "photos/");
            assertThat(othersObjects).as("the other couple's variants").hasSize(3);

            RecordingListener bobHears = new RecordingListener();
            try (DuetClient bobClient = connect(cluster, bob, bobHears)) {
                // Profile: nicknames both ways, the start date from the calendar, an event to the partner.
                annHttp.setCalendar(ann.getToken(), "2020-02-02", "Asia/Seoul");
                CoupleProfile annSees = annHttp.setNickname(ann.getToken(), "Bobby");
                assertThat(annSees.getPartnerNickname()).isEqualTo("Bobby");
                assertThat(annSees.isSetMyNickname()).isFalse();
                assertThat(annSees.getStartDate()).isEqualTo("2020-02-02");
                RecordingListener.await(WAIT, "Bob hears the nickname", () ->
                        bobHears.nicknameChanges.contains(ann.getUserId() + ": Bobby"));
                CoupleProfile bobSees = bobClient.coupleProfile().get(30, TimeUnit.SECONDS);
                assertThat(bobSees.getCoupleId()).isEqualTo(coupleId);
                assertThat(bobSees.getMyNickname()).isEqualTo("Bobby");
                assertThat(bobSees.getMe().getDisplayName()).isEqualTo("Bob");
                assertThat(bobSees.getPartner().getDisplayName()).isEqualTo("Ann");
                expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.setNickname(ann.getToken(), "x".repeat(51)));
                assertThat(annHttp.setNickname(ann.getToken(), null).isSetPartnerNickname()).isFalse();

                // Deleting a photo tells the partner.
                Photo gone = annHttp.uploadPhoto(ann.getToken(), write("gone.jpg", image(200, 100, "jpeg")), "soon gone");
                annHttp.deletePhoto(ann.getToken(), gone.getPhotoId());
                RecordingListener.await(WAIT, "Bob hears the photo deleted", () ->
                        bobHears.photosDeleted.contains(gone.getPhotoId() + " by " + ann.getUserId()));

                // An upload PUT but never finished is swept after photos.abandoned-upload-after.
                byte[] bytes = image(64, 64, "png");
                PhotoUpload abandoned = annHttp.createUpload(ann.getToken(), bytes.length);
                assertThat(put(abandoned, bytes).statusCode()).isEqualTo(200);
                String incoming = "incoming/" + coupleId + "/";
                assertThat(keys(s3, bucket, incoming)).as("the upload just PUT").hasSize(1);
                RecordingListener.await(WAIT, "the abandoned upload swept", () -> keys(s3, bucket, incoming).isEmpty());
                expectError(ErrorCode.NOT_FOUND, () -> annHttp.finishUpload(ann.getToken(), abandoned.getUploadId(), null));

                // Unpairing: Bob's session is told and ends, the couple's objects are gone, the other couple's stay.
                annHttp.uploadPhoto(ann.getToken(), write("kept.png", image(80, 80, "png")), "ours");
                annHttp.sendMessage(ann.getToken(), "m-1", "hello");
                PhotoUpload unfinished = annHttp.createUpload(ann.getToken(), bytes.length);
                assertThat(put(unfinished, bytes).statusCode()).isEqualTo(200);
                assertThat(keys(s3, bucket, "photos/")).hasSize(6);
                // Unpairing needs Ann's password: a wrong one (a stolen unlocked phone) changes nothing.
                expectError(ErrorCode.UNAUTHENTICATED, () -> annHttp.unpair(ann.getToken(), "not " + PASSWORD));
                assertThat(bobClient.coupleProfile().get(30, TimeUnit.SECONDS).getCoupleId()).isEqualTo(coupleId);
                assertThat(keys(s3, bucket, "photos/")).hasSize(6);
                Session annUnpaired = annHttp.unpair(ann.getToken(), PASSWORD);
                assertThat(annUnpaired.isSetCoupleId()).isFalse();
                RecordingListener.await(WAIT, "Bob hears the couple closed", () -> bobHears.couplesClosed.contains(
                        coupleId + " by " + ann.getUserId() + ": " + CoupleClosedReason.UNPAIRED));
                RecordingListener.await(WAIT, "Bob's session ends with COUPLE_CLOSED", () ->
                        bobHears.rejections.contains(SessionErrorCode.COUPLE_CLOSED));
                assertThat(keys(s3, bucket, "photos/")).isEqualTo(othersObjects);
                assertThat(keys(s3, bucket, incoming)).isEmpty();
                assertThat(photoRows(cluster, coupleId)).as("the photo rows purged, the closed head kept")
                        .containsExactly(Long.MAX_VALUE);
                expectError(ErrorCode.NOT_PAIRED, () -> bobHttp.fetchHistory(bob.getToken(), 0, 10));
                // A retry (its reply lost, say) finds the job done.
                assertThat(annHttp.unpair(ann.getToken(), PASSWORD).isSetCoupleId()).isFalse();
                assertThat(annHttp.getPhoto(others.ann.getToken(), theirs.getPhotoId()).getPhotoId())
                        .isEqualTo(theirs.getPhotoId());
            }

            // Both may pair again: a new, empty couple.
            Session bobUnpaired = bobHttp.refreshSession(bob.getToken());
            assertThat(bobUnpaired.isSetCoupleId()).isFalse();
            Session annAgain = annHttp.logIn(annEmail, PASSWORD);
            assertThat(annAgain.isSetCoupleId()).isFalse();
            Session[] again = pair(annHttp, annAgain, bobHttp, bobUnpaired);
            assertThat(again[0].getCoupleId()).isNotEqualTo(coupleId);
            assertThat(annHttp.fetchHistory(again[0].getToken(), 0, 10).getMessages()).isEmpty();
            assertThat(annHttp.coupleProfile(again[0].getToken()).isSetPartnerNickname()).isFalse();

            // Account deletion: a wrong password changes nothing; then Ann's couple and account are gone.
            long secondCouple = again[0].getCoupleId();
            annHttp.uploadPhoto(again[0].getToken(), write("second.jpg", image(120, 90, "jpeg")), null);
            assertThat(keys(s3, bucket, "photos/")).hasSize(6);
            RecordingListener bobHearsAgain = new RecordingListener();
            try (DuetClient bobClient = connect(cluster, again[1], bobHearsAgain)) {
                expectError(ErrorCode.UNAUTHENTICATED, () -> annHttp.deleteAccount(again[0].getToken(), "wrong password!"));
                assertThat(keys(s3, bucket, "photos/")).hasSize(6);
                // Many objects of the couple: deleted in DeleteObjects requests of up to 1,000 keys (BatchDeletes
                // counts them in its unit test; the sweep of abandoned uploads, which may take some of them
                // first, deletes the same way).
                putMany(s3, bucket, "incoming/" + secondCouple + "/bulk-", BULK_OBJECTS);
                annHttp.deleteAccount(again[0].getToken(), PASSWORD);
                RecordingListener.await(WAIT, "Bob hears Ann's account deleted", () -> bobHearsAgain.couplesClosed
                        .contains(secondCouple + " by " + again[0].getUserId() + ": " + CoupleClosedReason.ACCOUNT_DELETED));
                RecordingListener.await(WAIT, "Bob's session ends with COUPLE_CLOSED", () ->
                        bobHearsAgain.rejections.contains(SessionErrorCode.COUPLE_CLOSED));
            }
            assertThat(keys(s3, bucket, "photos/")).isEqualTo(othersObjects);
            assertThat(keys(s3, bucket, "incoming/" + secondCouple + "/")).isEmpty();
            expectError(ErrorCode.UNAUTHENTICATED, () -> annHttp.logIn(annEmail, PASSWORD));
            assertThatThrownBy(() -> annHttp.refreshWith(again[0].getRefreshToken())).isInstanceOf(TException.class);
            assertThat(bobHttp.refreshSession(again[1].getToken()).isSetCoupleId()).isFalse();
            // The email is free again.
            assertThat(annHttp.signUp(annEmail, PASSWORD, "Ann again").getUserId()).isNotEqualTo(ann.getUserId());
        }
    }

    /** Pairs two unpaired users; both sessions keep their refresh tokens. */
    private static Session[] pair(DuetHttp annHttp, Session ann, DuetHttp bobHttp, Session bob) throws Exception {
        String code = annHttp.createInvite(ann.getToken()).getCode();
        Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code).setRefreshToken(bob.getRefreshToken());
        Session annPaired = annHttp.refreshSession(ann.getToken()).setRefreshToken(ann.getRefreshToken());
        assertThat(annPaired.getCoupleId()).isNotZero().isEqualTo(bobPaired.getCoupleId());
        return new Session[] {annPaired, bobPaired};
    }

    private static DuetClient connect(LocalCluster cluster, Session session, RecordingListener listener)
            throws Exception {
        DuetClient client = DuetClient.builder().server(cluster.clientTcpEndpoint(1)).token(session.getToken())
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).listener(listener).build();
        client.connect().get(30, TimeUnit.SECONDS);
        return client;
    }

    private static S3Client s3(Map<String, String> settings) throws Exception {
        String secret = Files.readString(Path.of(settings.get("s3.secret-key-file"))).trim();
        return S3Client.builder().endpointOverride(URI.create(settings.get("s3.endpoint")))
                .region(Region.of(settings.get("s3.region"))).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.get("s3.access-key"), secret)))
                .build();
    }

    /** PUTs {@code count} small objects named {@code prefix} and a number, straight to the bucket. */
    private static void putMany(S3Client s3, String bucket, String prefix, int count) throws Exception {
        long start = System.nanoTime();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = prefix + i;
                puts.add(threads.submit(() -> s3.putObject(request -> request.bucket(bucket).key(key),
                        RequestBody.fromString(key))));
            }
            for (Future<?> put : puts) {
                put.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        System.out.printf("PUT %d objects in %d ms%n", count, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Every key in the bucket under {@code prefix}. */
    private static Set<String> keys(S3Client s3, String bucket, String prefix) {
        Set<String> keys = new HashSet<>();
        s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).forEach(keys::add);
        return keys;
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void expectError(ErrorCode code, Call call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(DuetError.class,
                e -> assertThat(e.getCode()).as(e.getMessage()).isEqualTo(code));
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] image(int width, int height, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.PINK);
        g.fillRect(0, 0, width / 2, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /**
     * The couple's rows in the photos table: for its head, the fence it holds; for any other row, -1.
     */
    private static List<Long> photoRows(LocalCluster cluster, long coupleId) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.set("hbase.zookeeper.property.clientPort", cluster.hbaseZookeeperConnect().split(":")[1]);
        HBaseSchema schema = new HBaseSchema(cluster.hbaseNamespace(), cluster.shards());
        byte[] couple = HBaseSchema.coupleRow(Shards.shardOf(coupleId, cluster.shards()), coupleId);
        try (AsyncConnection hbase = ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS)) {
            List<Long> rows = new ArrayList<>();
            for (Result row : hbase.getTable(schema.photos()).scanAll(new Scan().setStartStopRowForPrefixScan(couple))
                    .get(60, TimeUnit.SECONDS)) {
                byte[] fence = row.getValue(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE);
                rows.add(Arrays.equals(row.getRow(), PhotoRows.head(couple)) && fence != null ? Bytes.toLong(fence) : -1L);
            }
            return rows;
        }
    }

    private static HttpResponse<String> put(PhotoUpload upload, byte[] bytes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upload.getUploadUrl())).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        upload.getHeaders().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
