package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.admin.DuetAdmin;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.PhotoRows;
import io.duet.app.storage.SpaceStore;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrlEntry;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.photoConstants;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.apache.thrift.TException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Photos on the local cluster, its S3 being S3Proxy: Ann uploads over HTTP ({@link DuetHttp}), Bob over his
 * TCP session ({@link DuetClient}); the bytes go to S3 by presigned PUT, the variants come back by presigned
 * GET (one by one, or many in one getPhotoUrls), each upload posts a photo message, EXIF is read (the time
 * taken) and stripped from every variant, and a delete removes the objects and the metadata. Bad bytes get
 * clear errors, and another couple's photo and upload ids are NOT_FOUND (in a batch, NOT_FOUND entries).
 */
class PhotosIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    @Test
    void partnersUploadListDownloadAndDeletePhotosAndBadBytesAreRefused() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        TestCouple others = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp otherHttp = TestCouple.http(cluster, 1, TestCouple.ANN_DEVICE);
        String ann = couple.ann.getToken();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            // Ann uploads a JPEG over HTTP with a caption; Bob's session gets the photo message.
            // With EXIF: when it was taken, and where (a GPS block).
            Path beach = write("beach.jpg", withExif(image(1200, 900, "jpeg")));
            assertThat(new String(Files.readAllBytes(beach), StandardCharsets.ISO_8859_1)).contains("Exif", TAKEN_AT);
            Photo photo = annHttp.uploadPhoto(ann, beach, "the beach");
            assertThat(photo.getPhotoId()).matches("[0-9a-f]{32}");
            assertThat(photo.getWidth()).isEqualTo(1200);
            assertThat(photo.getHeight()).isEqualTo(900);
            assertThat(photo.getContentType()).isEqualTo("image/jpeg");
            assertThat(photo.getUploadedBy()).isEqualTo(couple.ann.getUserId());
            assertThat(photo.getCaption()).isEqualTo("the beach");
            assertThat(photo.getTakenAtMillis()).as("read from the EXIF")
                    .isEqualTo(Instant.parse("2024-05-01T12:34:56Z").toEpochMilli());
            RecordingListener.await(WAIT, "Bob gets the photo message", () -> bobHears.messages.stream()
                    .anyMatch(m -> m.getKind() == MessageKind.PHOTO && photo.getPhotoId().equals(m.getPhotoId())));
            Message message = bobHears.messages.stream().filter(m -> m.getKind() == MessageKind.PHOTO).findFirst().get();
            assertThat(message.getSeq()).isEqualTo(photo.getMessageSeq());
            assertThat(message.getText()).isEqualTo("the beach");
            assertThat(message.getSenderId()).isEqualTo(couple.ann.getUserId());

            // Bob uploads a PNG over TCP; both list the two, newest first.
            Path sketch = write("sketch.png", image(300, 500, "png"));
            Photo bobs = tcp(bob.uploadPhoto(sketch, null));
            assertThat(bobs.getUploadedBy()).isEqualTo(couple.bob.getUserId());
            assertThat(bobs.isSetCaption()).isFalse();
            assertThat(annHttp.listPhotos(ann, 10, null).getPhotos()).extracting(Photo::getPhotoId)
                    .containsExactly(bobs.getPhotoId(), photo.getPhotoId());
            assertThat(tcp(bob.listPhotos(1, null)).getNextCursor()).isEqualTo(bobs.getPhotoId());
            assertThat(annHttp.getPhoto(ann, photo.getPhotoId()).getCaption()).isEqualTo("the beach");
            // Editing the photo message's caption sets the photo's too, in a write right after the message's.
            annHttp.editMessage(ann, photo.getMessageSeq(), "the beach at dusk", null);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!"the beach at dusk".equals(annHttp.getPhoto(ann, photo.getPhotoId()).getCaption())
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(annHttp.getPhoto(ann, photo.getPhotoId()).getCaption()).isEqualTo("the beach at dusk");
            assertThat(annHttp.getPhoto(ann, bobs.getPhotoId()).isSetCaption()).isFalse();

            // Downloads by presigned URL: every variant, its size within its edge, and no metadata left.
            Path full = annHttp.downloadPhoto(ann, photo.getPhotoId(), PhotoVariant.FULL, dir.resolve("full.jpg"));
            assertThat(decode(full).getWidth()).isEqualTo(1200);
            Path thumbnail = tcp(bob.downloadPhoto(photo.getPhotoId(), PhotoVariant.THUMBNAIL, dir.resolve("thumb.jpg")));
            assertThat(decode(thumbnail).getWidth()).isEqualTo(320);
            assertThat(decode(thumbnail).getHeight()).isEqualTo(240);
            PhotoUrl screen = annHttp.photoUrl(ann, photo.getPhotoId(), PhotoVariant.SCREEN);
            assertThat(screen.getExpiresAtMillis()).isBetween(System.currentTimeMillis(),
                    System.currentTimeMillis() + Duration.ofMinutes(11).toMillis());
            HttpResponse<byte[]> fetched = get(screen.getUrl());
            assertThat(fetched.statusCode()).isEqualTo(200);
            assertThat(ImageIO.read(new ByteArrayInputStream(fetched.body())).getWidth()).isEqualTo(1200);
            // The EXIF segment (its GPS block with it) is not in what is stored, in any variant.
            for (Path stored : List.of(full, thumbnail, Files.write(dir.resolve("screen.jpg"), fetched.body()))) {
                assertThat(new String(Files.readAllBytes(stored), StandardCharsets.ISO_8859_1)).as(stored.toString())
                        .doesNotContain("Exif", TAKEN_AT);
            }
            assertThat(decode(tcp(bob.downloadPhoto(bobs.getPhotoId(), null, dir.resolve("sketch-full.png"))))
                    .getHeight()).isEqualTo(500);

            // Bad bytes: too large (declared, then more bytes than declared), not an image, an image bomb.
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.createUpload(ann, 20L * 1024 * 1024 + 1));
            PhotoUpload small = annHttp.createUpload(ann, 10);
            assertThat(put(small, new byte[11]).statusCode()).isEqualTo(403);
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.finishUpload(ann, small.getUploadId(), null));
            Path text = write("notes.jpg", "these are my notes, not a photo".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> annHttp.uploadPhoto(ann, text, null)).isInstanceOfSatisfying(DuetError.class, e -> {
                assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("not a JPEG, PNG or WebP image");
            });
            Path bomb = write("bomb.png", pngDeclaring(100_000, 100_000));
            assertThatThrownBy(() -> annHttp.uploadPhoto(ann, bomb, null)).isInstanceOfSatisfying(DuetError.class, e -> {
                assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("100000 x 100000 pixels");
            });
            assertThat(annHttp.listPhotos(ann, 10, null).getPhotos()).hasSize(2);

            // Another couple's photo and upload ids are NOT_FOUND, over both transports.
            Photo theirs = otherHttp.uploadPhoto(others.ann.getToken(), write("theirs.png", image(50, 50, "png")), "ours");
            String theirId = theirs.getPhotoId();
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.getPhoto(ann, theirId));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.photoUrl(ann, theirId, PhotoVariant.FULL));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.deletePhoto(ann, theirId));
            // A batch of URLs: ours get one, theirs and an id that is no photo get NOT_FOUND entries, in order.
            PhotoUrls batch = annHttp.photoUrls(ann, List.of(photo.getPhotoId(), theirId, bobs.getPhotoId(), "nope"),
                    PhotoVariant.THUMBNAIL);
            assertThat(batch.getEntries()).extracting(PhotoUrlEntry::getPhotoId)
                    .containsExactly(photo.getPhotoId(), theirId, bobs.getPhotoId(), "nope");
            assertThat(batch.getEntries()).extracting(PhotoUrlEntry::isSetUrl).containsExactly(true, false, true, false);
            assertThat(batch.getEntries()).extracting(PhotoUrlEntry::getErrorCode)
                    .containsExactly(null, ErrorCode.NOT_FOUND, null, ErrorCode.NOT_FOUND);
            HttpResponse<byte[]> batchThumbnail = get(batch.getEntries().get(0).getUrl().getUrl());
            assertThat(ImageIO.read(new ByteArrayInputStream(batchThumbnail.body())).getWidth()).isEqualTo(320);
            PhotoUrls overTcp = tcp(bob.photoUrls(List.of(theirId, bobs.getPhotoId()), null));
            assertThat(overTcp.getEntries().get(0).getErrorCode()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(overTcp.getEntries().get(1).getVariant()).isEqualTo(PhotoVariant.FULL);
            assertThat(overTcp.getEntries().get(1).getUrl().getContentType()).isEqualTo(bobs.getContentType());
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.photoUrls(ann,
                    Collections.nCopies(photoConstants.MAX_PHOTO_URLS + 1, photo.getPhotoId()), null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.photoUrls(ann, List.of(), null));
            expectError(ErrorCode.NOT_FOUND, () -> tcp(bob.downloadPhoto(theirId, null, dir.resolve("stolen.png"))));
            expectError(ErrorCode.NOT_FOUND, () -> tcp(bob.deletePhoto(theirId)));
            PhotoUpload theirUpload = otherHttp.createUpload(others.ann.getToken(), Files.size(beach));
            assertThat(put(theirUpload, Files.readAllBytes(beach)).statusCode()).isEqualTo(200);
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.finishUpload(ann, theirUpload.getUploadId(), null));
            Photo finished = otherHttp.finishUpload(others.ann.getToken(), theirUpload.getUploadId(), null);
            assertThat(finished.getWidth()).isEqualTo(1200);
            // A retry (its reply lost, say) answers with the same photo and message.
            assertThat(otherHttp.finishUpload(others.ann.getToken(), theirUpload.getUploadId(), null)).isEqualTo(finished);
            assertThat(otherHttp.getPhoto(others.ann.getToken(), theirId).getCaption()).isEqualTo("ours");

            // Bob deletes Ann's photo over TCP: the metadata is gone, and so are the objects.
            PhotoUrl before = annHttp.photoUrl(ann, photo.getPhotoId(), PhotoVariant.THUMBNAIL);
            tcp(bob.deletePhoto(photo.getPhotoId()));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.getPhoto(ann, photo.getPhotoId()));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.deletePhoto(ann, photo.getPhotoId()));
            assertThat(get(before.getUrl()).statusCode()).isEqualTo(404);
            assertThat(annHttp.listPhotos(ann, 10, null).getPhotos()).extracting(Photo::getPhotoId)
                    .containsExactly(bobs.getPhotoId());
            assertThatThrownBy(() -> tcp(bob.downloadPhoto(photo.getPhotoId(), null, dir.resolve("gone.jpg"))))
                    .isInstanceOf(DuetError.class);
        }
    }

    /**
     * A client whose finishUpload timed out retries it while the first call still runs, and again after it
     * ended: every call gets the first's answer (the photo and its message), and there is one photo and one
     * photo message. (Before, an overlapping retry got ALREADY_EXISTS, or NOT_FOUND once the first had
     * deleted the incoming bytes.)
     */
    @Test
    void overlappingRetriesOfFinishUploadGetTheSamePhotoAndMessage() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        String ann = couple.ann.getToken();
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        // Large enough that making its variants takes a while, for the retries to overlap it.
        byte[] big = image(3000, 2250, "png");
        PhotoUpload upload = annHttp.createUpload(ann, big.length);
        assertThat(put(upload, big).statusCode()).isEqualTo(200);

        int calls = 4;
        List<CompletableFuture<Photo>> finishes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            DuetHttp http = TestCouple.http(cluster, i % 2, TestCouple.ANN_DEVICE);
            finishes.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return http.finishUpload(ann, upload.getUploadId(), "one photo");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
            Thread.sleep(20);
        }
        Photo first = tcp(finishes.get(0));
        for (CompletableFuture<Photo> retry : finishes) {
            assertThat(tcp(retry)).isEqualTo(first);
        }
        assertThat(annHttp.finishUpload(ann, upload.getUploadId(), "one photo")).as("a retry after them all")
                .isEqualTo(first);

        assertThat(annHttp.listPhotos(ann, 10, null).getPhotos()).extracting(Photo::getPhotoId)
                .containsExactly(first.getPhotoId());
        assertThat(annHttp.fetchHistory(ann, 0, 100).getMessages()).filteredOn(m -> m.getKind() == MessageKind.PHOTO)
                .extracting(Message::getSeq).containsExactly(first.getMessageSeq());
    }

    /**
     * Photos' metadata lives in the photos table: the couple row's space family does not grow with photos; a
     * couple written by an older release (photo cells in its row, {@value #OLD_PHOTOS} of them: two batches)
     * is moved on its first photo call with nothing lost; and the photos survive a move of the couple to
     * the other server, which then adds to them.
     */
    @Test
    void photosHaveRowsOfTheirOwnMoveOutOfAnOlderCoupleRowAndSurviveAMoveOfTheCouple() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        HBaseSchema schema = new HBaseSchema(cluster.hbaseNamespace(), cluster.shards());
        TestCouple couple = TestCouple.pair(cluster);
        long coupleId = couple.ann.getCoupleId();
        String ann = couple.ann.getToken();
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        try (AsyncConnection hbase = hbase(cluster)) {
            AsyncTable<?> couples = hbase.getTable(schema.couples());
            byte[] row = HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
            // As an older release left it: photo cells in the couple row (one with a caption).
            Put old = new Put(row);
            List<String> oldIds = new ArrayList<>();
            for (int n = 0; n < OLD_PHOTOS; n++) {
                String id = String.format("%032x", 0xabc000 + n);
                oldIds.add(id);
                StoredPhoto photo = new StoredPhoto().setWidth(4).setHeight(3).setUploadedBy(couple.ann.getUserId())
                        .setUploadedAtMillis(1_000_000 + n).setContentType("image/jpeg").setSizeBytes(10)
                        .setObjectKeys(Map.of(PhotoVariant.FULL.getValue(), "photos/old-" + n));
                if (n == 7) {
                    photo.setCaption("from the old days");
                }
                old.addColumn(HBaseSchema.SPACE, SpaceStore.photoQualifier(id), ThriftCodec.INTERNAL.encode(photo));
            }
            couples.put(old).get(30, TimeUnit.SECONDS);
            long spaceBefore = spaceBytes(couples, row);
            assertThat(spaceBefore).as("the old cells, in the row").isGreaterThan(OLD_PHOTOS * 40L);

            // The first photo call moves them: every one listed once, newest first, paged.
            List<String> listed = listAll(annHttp, ann);
            Collections.reverse(oldIds);
            assertThat(listed).isEqualTo(oldIds);
            assertThat(annHttp.getPhoto(ann, oldIds.get(OLD_PHOTOS - 1 - 7)).getCaption()).isEqualTo("from the old days");
            long spaceAfterMove = spaceBytes(couples, row);
            assertThat(spaceAfterMove).as("no photo cell left in the couple row").isLessThan(OLD_PHOTOS * 2L);

            // New photos do not grow the couple row's space.
            Photo first = annHttp.uploadPhoto(ann, write("one.png", image(40, 30, "png")), "one");
            Photo second = annHttp.uploadPhoto(ann, write("two.png", image(30, 40, "png")), null);
            assertThat(spaceBytes(couples, row)).isEqualTo(spaceAfterMove);

            // The couple moves to the other server: every photo is there, and it adds one.
            Node from = cluster.applicationServerOwning(coupleId);
            Node to = cluster.applicationServers().stream().filter(n -> !n.name().equals(from.name())).findFirst().orElseThrow();
            int shard = Shards.shardOf(coupleId, cluster.shards());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = DuetAdmin.run(new String[] {"--zookeeper", cluster.zookeeperConnect(), "--cluster",
                    cluster.clusterName(), "--hbase-zookeeper", cluster.hbaseZookeeperConnect(), "--hbase-namespace",
                    cluster.hbaseNamespace(), "move", Integer.toString(shard), to.name()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).as(out + "\n" + err).isZero();
            assertThat(cluster.applicationServerOwning(coupleId).name()).isEqualTo(to.name());
            List<String> afterMove = listAll(annHttp, ann);
            assertThat(afterMove).hasSize(OLD_PHOTOS + 2).startsWith(second.getPhotoId(), first.getPhotoId());
            Photo third = annHttp.uploadPhoto(ann, write("three.png", image(20, 20, "png")), "three");
            assertThat(annHttp.listPhotos(ann, 1, null).getPhotos()).extracting(Photo::getPhotoId)
                    .containsExactly(third.getPhotoId());
            annHttp.deletePhoto(ann, first.getPhotoId());
            assertThat(listAll(annHttp, ann)).hasSize(OLD_PHOTOS + 2).doesNotContain(first.getPhotoId());
            assertThat(spaceBytes(couples, row)).isEqualTo(spaceAfterMove);

            // A caption edit whose photo write fails (fenced here, as if a newer owner had claimed the photos)
            // still reaches the photo: the message's edit wrote the photo's pending caption, and the couple's
            // next load (its owner unloads it after the failed write) applies it.
            AsyncTable<?> photos = hbase.getTable(schema.photos());
            byte[] head = PhotoRows.head(row);
            long fence = Bytes.toLong(photos.get(new Get(head)).get(30, TimeUnit.SECONDS)
                    .getValue(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE));
            photos.put(new Put(head).addColumn(HBaseSchema.OWNER, HBaseSchema.PHOTOS_FENCE, Bytes.toBytes(fence + 1)))
                    .get(30, TimeUnit.SECONDS);
            assertThat(annHttp.editMessage(ann, third.getMessageSeq(), "three, edited", null).getText())
                    .isEqualTo("three, edited");
            RecordingListener.await(WAIT, "the photo's caption follows its message after the failed write", () -> {
                try {
                    return "three, edited".equals(annHttp.getPhoto(ann, third.getPhotoId()).getCaption());
                } catch (TException e) {
                    return false; // the couple loading again
                }
            });
            byte[] pending = SpaceStore.captionQualifier(third.getPhotoId());
            RecordingListener.await(WAIT, "the pending caption cleared", () -> couples.get(new Get(row)
                    .addColumn(HBaseSchema.SPACE, pending)).join().isEmpty());
        }
    }

    private static final int OLD_PHOTOS = 620;

    private static List<String> listAll(DuetHttp http, String token) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            PhotoList page = http.listPhotos(token, 200, cursor);
            page.getPhotos().forEach(photo -> ids.add(photo.getPhotoId()));
            cursor = page.isSetNextCursor() ? page.getNextCursor() : null;
        } while (cursor != null);
        return ids;
    }

    /** The stored size of the couple row's space family (where photos' metadata used to be). */
    private static long spaceBytes(AsyncTable<?> couples, byte[] row) throws Exception {
        Result result = couples.get(new Get(row).addFamily(HBaseSchema.SPACE)).get(30, TimeUnit.SECONDS);
        long bytes = 0;
        for (Cell cell : result.rawCells()) {
            bytes += cell.getQualifierLength() + cell.getValueLength();
        }
        return bytes;
    }

    private static AsyncConnection hbase(LocalCluster cluster) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.set("hbase.zookeeper.property.clientPort", cluster.hbaseZookeeperConnect().split(":")[1]);
        return ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS);
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] image(int width, int height, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static final String TAKEN_AT = "2024:05:01 12:34:56";

    /**
     * {@code jpeg} with an EXIF segment right after its start: IFD0 pointing at an EXIF IFD with the time
     * taken ({@link #TAKEN_AT}) and at a GPS IFD (latitude reference "N").
     */
    private static byte[] withExif(byte[] jpeg) {
        ByteBuffer tiff = ByteBuffer.allocate(94); // big-endian, offsets from the TIFF header
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        // IFD0 at 8: two entries, then no next IFD; ends at 38.
        tiff.putShort((short) 2);
        tiff.putShort((short) 0x8769).putShort((short) 4).putInt(1).putInt(38);
        tiff.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(76);
        tiff.putInt(0);
        // EXIF IFD at 38: DateTimeOriginal, its 20 characters at 56.
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x9003).putShort((short) 2).putInt(20).putInt(56);
        tiff.putInt(0);
        tiff.put((TAKEN_AT + "\0").getBytes(StandardCharsets.US_ASCII));
        // GPS IFD at 76: GPSLatitudeRef "N", inline.
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0001).putShort((short) 2).putInt(2).put((byte) 'N').put((byte) 0).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = tiff.array();
        int length = 2 + 6 + exif.length;
        ByteBuffer out = ByteBuffer.allocate(jpeg.length + 2 + length);
        out.put(jpeg, 0, 2); // SOI
        out.put((byte) 0xff).put((byte) 0xe1).putShort((short) length);
        out.put("Exif\0\0".getBytes(StandardCharsets.US_ASCII)).put(exif);
        out.put(jpeg, 2, jpeg.length - 2);
        return out.array();
    }

    private static BufferedImage decode(Path file) throws Exception {
        return ImageIO.read(file.toFile());
    }

    /** A PNG of a few dozen bytes whose header declares {@code width} x {@code height} pixels. */
    private static byte[] pngDeclaring(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static HttpResponse<byte[]> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> put(PhotoUpload upload, byte[] bytes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upload.getUploadUrl())).timeout(WAIT)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        upload.getHeaders().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The outcome of a TCP call, its failure's cause thrown as is. */
    private static <T> T tcp(CompletableFuture<T> call) throws Exception {
        try {
            return call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static void expectError(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
