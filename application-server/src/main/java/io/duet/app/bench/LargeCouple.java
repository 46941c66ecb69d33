package io.duet.app.bench;

import io.duet.app.storage.ArchiveMark;
import io.duet.app.storage.CoupleSnapshot;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.MessageArchive;
import io.duet.app.storage.SchemaBootstrap;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * A couple that has talked for ten years, generated straight into HBase in the archive layout ({@link
 * MessageArchive}) with batched puts, and measured: history pages at depths from the newest to the oldest
 * message (min / median / max of the runs), the couple row's size and the largest archive row's, a region
 * split in the middle of the couple's archive (pages across it still read), and what one bucket move
 * costs. Its photos are generated in the couple row as older releases kept them, then moved to the photos
 * table as a new owner's first photo call would ({@code PhotoMigration}), and the couple row measured again. Usage: {@code bin/duet-generate-couple --help}; the numbers are in BENCHMARKS.md.
 */
public final class LargeCouple {
    private static final long COUPLE = 4242;
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final int PAGE = 50;

    private final AsyncConnection hbase;
    private final HBaseSchema schema;
    private final CoupleStore store;
    private final Map<String, String> options;
    private final PrintStream out;
    private final ThriftCodec codec = ThriftCodec.INTERNAL;
    private final Random random = new Random(7);

    private LargeCouple(AsyncConnection hbase, HBaseSchema schema, CoupleStore store, Map<String, String> options,
            PrintStream out) {
        this.hbase = hbase;
        this.schema = schema;
        this.store = store;
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("--messages", "1000000", "--photos", "20000",
                "--bucket-size", String.valueOf(CoupleStoreSettings.DEFAULT_ARCHIVE_BUCKET_SIZE), "--keep-recent", "1024",
                "--text-length", "120", "--runs", "5", "--warm-up", "1", "--namespace", "large"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || i + 1 >= args.length || !args[i].startsWith("--")) {
                System.out.println("usage: LargeCouple --zookeeper-port PORT [--messages 1000000] [--photos 20000]"
                        + " [--bucket-size 1024] [--keep-recent 1024] [--text-length 120] [--runs 5] [--warm-up 1]"
                        + " [--namespace large]");
                System.exit(args[i].equals("--help") ? 0 : 2);
            }
            options.put(args[i], args[++i]);
        }
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.set("hbase.zookeeper.property.clientPort", required(options, "--zookeeper-port"));
        conf.setLong("hbase.client.operation.timeout", 120_000);
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        try (AsyncConnection hbase = ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS)) {
            HBaseSchema schema = new HBaseSchema(options.get("--namespace"), 16, true);
            SchemaBootstrap.ensure(hbase.getAdmin(), schema).get(300, TimeUnit.SECONDS);
            CoupleStore store = new CoupleStore(hbase, schema, callbacks, CoupleStoreSettings.builder()
                    .archiveBucketSize(Integer.parseInt(options.get("--bucket-size"))).build());
            new LargeCouple(hbase, schema, store, options, System.out).run();
        } finally {
            callbacks.shutdownNow();
        }
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private int option(String name) {
        return Integer.parseInt(options.get(name));
    }

    private void run() throws Exception {
        int messages = option("--messages");
        int bucketSize = option("--bucket-size");
        long archivedUpTo = Math.max(0, (messages - option("--keep-recent")) / bucketSize * (long) bucketSize);
        out.printf(Locale.ROOT, "Generating couple %d: %,d messages (%,d archived in %,d buckets of %d), %,d photos%n",
                COUPLE, messages, archivedUpTo, archivedUpTo / bucketSize, bucketSize, option("--photos"));
        long started = System.nanoTime();
        long fence = generate(COUPLE, messages, new ArchiveMark(archivedUpTo, bucketSize), option("--photos"));
        out.printf(Locale.ROOT, "Generated in %.1f s; flushing%n", (System.nanoTime() - started) / 1e9);
        AsyncAdmin admin = hbase.getAdmin();
        admin.flush(schema.couples()).get(300, TimeUnit.SECONDS);
        admin.flush(schema.archive()).get(300, TimeUnit.SECONDS);

        long claimStarted = System.nanoTime();
        CoupleSnapshot owner = store.claim(COUPLE, 2, 256).get(60, TimeUnit.SECONDS);
        out.printf(Locale.ROOT, "A new owner's claim (the newest 256 messages): %.2f ms, last seq %,d%n",
                (System.nanoTime() - claimStarted) / 1e6, owner.lastSeq());

        pages(messages);
        rowSizes(bucketSize);
        movePhotos(owner.fence());
        try {
            split(new ArchiveMark(archivedUpTo, bucketSize));
        } catch (Exception e) {
            out.println("The split failed: " + e);
        }
        moves(bucketSize);
    }

    // ---- generating ----------------------------------------------------------------------------------

    /** Writes the couple in the final layout; returns the fence its rows carry. */
    private long generate(long coupleId, int messages, ArchiveMark mark, int photos) throws Exception {
        if (!store.create(coupleId, ANN, BOB, 0).get(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("couple " + coupleId + " exists in namespace " + schema.namespace()
                    + " with other members: use a fresh --namespace");
        }
        long fence = store.claim(coupleId, 1, 1).get(60, TimeUnit.SECONDS).fence();
        int shard = Shards.shardOf(coupleId, schema.shardCount());
        AsyncTable<?> archive = hbase.getTable(schema.archive());
        AsyncTable<?> couples = hbase.getTable(schema.couples());
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        List<Put> batch = new ArrayList<>();
        long buckets = mark.archivedUpTo() / mark.bucketSize();
        for (long bucket = 0; bucket < buckets; bucket++) {
            Put put = new Put(HBaseSchema.archiveRow(shard, coupleId, bucket))
                    .addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, Bytes.toBytes(fence));
            for (long seq = mark.firstOf(bucket); seq <= mark.lastOf(bucket); seq++) {
                put.addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq), message(seq, fence));
            }
            batch.add(put);
            if (batch.size() == 4) {
                send(archive, batch, inFlight);
                batch = new ArrayList<>();
            }
            if ((bucket + 1) % 100 == 0) {
                out.printf(Locale.ROOT, "  %,d of %,d buckets%n", bucket + 1, buckets);
            }
        }
        send(archive, batch, inFlight);
        batch = new ArrayList<>();
        byte[] row = HBaseSchema.coupleRow(shard, coupleId);
        Put recent = new Put(row);
        for (long seq = mark.archivedUpTo() + 1; seq <= messages; seq++) {
            recent.addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq), message(seq, fence));
        }
        byte[] writer = new byte[16];
        Bytes.putLong(writer, 0, fence);
        Bytes.putLong(writer, 8, messages);
        recent.addColumn(HBaseSchema.OWNER, HBaseSchema.LAST_SEQ, Bytes.toBytes((long) messages))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer)
                .addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK, mark.encode());
        for (int i = 0; i < photos; i++) {
            byte[] id = new byte[16];
            random.nextBytes(id);
            String photoId = HexFormat.of().formatHex(id);
            recent.addColumn(HBaseSchema.SPACE, SpaceStore.photoQualifier(photoId), photo(photoId, fence));
        }
        batch.add(recent);
        send(couples, batch, inFlight);
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).get(600, TimeUnit.SECONDS);
        return fence;
    }

    /** Sends {@code batch}, with at most four batches in flight. */
    private static void send(AsyncTable<?> table, List<Put> batch, List<CompletableFuture<Void>> inFlight)
            throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        inFlight.add(table.putAll(batch));
        if (inFlight.size() >= 4) {
            inFlight.remove(0).get(300, TimeUnit.SECONDS);
        }
    }

    private byte[] message(long seq, long fence) {
        StringBuilder text = new StringBuilder(option("--text-length"));
        while (text.length() < option("--text-length")) {
            text.append("message ").append(seq).append(' ');
        }
        text.setLength(option("--text-length"));
        return codec.encode(new StoredMessage()
                .setFence(fence)
                .setClientMessageId(Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()))
                .setSenderId(seq % 2 == 0 ? ANN : BOB)
                .setSenderDeviceId("phone")
                .setSentAtMillis(1_500_000_000_000L + seq * 300_000L)
                .setKind(MessageKind.TEXT.getValue())
                .setText(text.toString()));
    }

    private byte[] photo(String photoId, long fence) {
        Map<Integer, String> keys = new HashMap<>();
        for (int variant = 0; variant < 3; variant++) {
            keys.put(variant, "photos/" + photoId + "/" + variant);
        }
        return codec.encode(new StoredPhoto().setWidth(4032).setHeight(3024).setTakenAtMillis(1_600_000_000_000L)
                .setUploadedBy(ANN).setUploadedAtMillis(1_600_000_000_000L).setCaption("a caption of some length")
                .setContentType("image/jpeg").setSizeBytes(3_000_000).setObjectKeys(keys).setFence(fence));
    }

    // ---- measuring -----------------------------------------------------------------------------------

    /** Pages of {@value #PAGE} before a depth (0: the newest), and a catch-up page of 500 after it. */
    private void pages(int messages) throws Exception {
        int runs = option("--runs");
        out.printf(Locale.ROOT, "%nHistory pages (ms, min / median / max of %d runs after %d warm-up reads)%n", runs,
                option("--warm-up"));
        out.printf(Locale.ROOT, "%12s %26s %26s%n", "depth", PAGE + " before it", "500 from it (catch-up)");
        for (long depth : new long[] {0, 10_000, 100_000, 500_000, messages - PAGE}) {
            if (depth > messages - PAGE) {
                continue;
            }
            long to = messages - depth;
            long from = Math.max(1, to - PAGE + 1);
            double[] backward = time(runs, option("--warm-up"),
                    () -> expect(store.read(COUPLE, from, to, PAGE), from, to));
            long catchUpTo = Math.min(messages, from + 499);
            double[] forward = time(runs, option("--warm-up"),
                    () -> expect(store.read(COUPLE, from, catchUpTo, 500), from, catchUpTo));
            out.printf(Locale.ROOT, "%,12d %26s %26s%n", depth, format(backward), format(forward));
        }
    }

    private static void expect(CompletableFuture<List<Message>> read, long from, long to) throws Exception {
        List<Message> page = read.get(60, TimeUnit.SECONDS);
        if (page.size() != to - from + 1 || page.get(0).getSeq() != from || page.get(page.size() - 1).getSeq() != to) {
            throw new IllegalStateException("page " + from + ".." + to + " read " + page.size() + " messages");
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static double[] time(int runs, int warmUp, Call call) throws Exception {
        for (int i = 0; i < warmUp; i++) {
            call.run();
        }
        List<Double> millis = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            call.run();
            millis.add((System.nanoTime() - started) / 1e6);
        }
        Collections.sort(millis);
        return new double[] {millis.get(0), millis.get(millis.size() / 2), millis.get(millis.size() - 1)};
    }

    private static String format(double[] minMedianMax) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", minMedianMax[0], minMedianMax[1], minMedianMax[2]);
    }

    /**
     * The generated photos are in the couple row, as an older release kept them: the new owner moves them to
     * the photos table as its first photo call would (PhotoMigration), and the couple row is measured again.
     */
    private void movePhotos(long fence) throws Exception {
        long started = System.nanoTime();
        long claimed = store.photos().claim(COUPLE, fence).get(60, TimeUnit.SECONDS);
        long count = store.photoMigration().migrate(COUPLE, fence, claimed).get(600, TimeUnit.SECONDS);
        out.printf(Locale.ROOT, "%nMoved %,d photos out of the couple row to the photos table in %.1f s%n", count,
                (System.nanoTime() - started) / 1e9);
        int shard = Shards.shardOf(COUPLE, schema.shardCount());
        Result coupleRow = hbase.getTable(schema.couples()).get(new Get(HBaseSchema.coupleRow(shard, COUPLE)))
                .get(60, TimeUnit.SECONDS);
        long bytes = 0;
        long space = 0;
        for (Cell cell : coupleRow.rawCells()) {
            bytes += cellBytes(cell);
            if (cell.getFamilyLength() == 1 && cell.getFamilyArray()[cell.getFamilyOffset()] == HBaseSchema.SPACE[0]) {
                space += cellBytes(cell);
            }
        }
        out.printf(Locale.ROOT, "Couple row after the move: %,d bytes in %,d cells (family p: %,d bytes)%n", bytes,
                coupleRow.rawCells().length, space);
    }

    private void rowSizes(int bucketSize) throws Exception {
        int shard = Shards.shardOf(COUPLE, schema.shardCount());
        Result coupleRow = hbase.getTable(schema.couples()).get(new Get(HBaseSchema.coupleRow(shard, COUPLE)))
                .get(60, TimeUnit.SECONDS);
        Map<String, long[]> families = new java.util.TreeMap<>();
        for (Cell cell : coupleRow.rawCells()) {
            long[] sum = families.computeIfAbsent(Bytes.toString(cell.getFamilyArray(), cell.getFamilyOffset(),
                    cell.getFamilyLength()), family -> new long[2]);
            sum[0]++;
            sum[1] += cellBytes(cell);
        }
        out.printf(Locale.ROOT, "%nCouple row: %,d bytes in %,d cells%n", families.values().stream().mapToLong(s -> s[1]).sum(),
                coupleRow.rawCells().length);
        families.forEach((family, sum) -> out.printf(Locale.ROOT, "  family %s: %,d cells, %,d bytes%n", family, sum[0], sum[1]));
        long largest = 0;
        long total = 0;
        int rows = 0;
        try (ResultScanner scanner = hbase.getTable(schema.archive()).getScanner(new Scan()
                .setStartStopRowForPrefixScan(HBaseSchema.coupleRow(shard, COUPLE)).setCaching(8))) {
            for (Result row : scanner) {
                long bytes = 0;
                for (Cell cell : row.rawCells()) {
                    bytes += cellBytes(cell);
                }
                largest = Math.max(largest, bytes);
                total += bytes;
                rows++;
            }
        }
        out.printf(Locale.ROOT, "Archive: %,d rows of %d messages, %,d bytes in all, the largest %,d bytes%n", rows,
                bucketSize, total, largest);
    }

    /** A cell's size as HBase stores it: key (row, family, qualifier, timestamp, type) and value. */
    private static long cellBytes(Cell cell) {
        return cell.getRowLength() + cell.getFamilyLength() + cell.getQualifierLength() + cell.getValueLength()
                + Bytes.SIZEOF_LONG + 1 + 2 * Bytes.SIZEOF_INT + Bytes.SIZEOF_SHORT + 1;
    }

    /** Splits the couple's archive region between two of its buckets, and reads a page across the split. */
    private void split(ArchiveMark mark) throws Exception {
        long buckets = mark.archivedUpTo() / mark.bucketSize();
        if (buckets < 2) {
            return;
        }
        int shard = Shards.shardOf(COUPLE, schema.shardCount());
        long middle = buckets / 2;
        byte[] splitPoint = HBaseSchema.archiveRow(shard, COUPLE, middle);
        AsyncAdmin admin = hbase.getAdmin();
        int before = regionsOfCouple(shard);
        admin.split(schema.archive(), splitPoint).get(300, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (regionsOfCouple(shard) <= before && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        int after = regionsOfCouple(shard);
        long to = mark.firstOf(middle) + PAGE / 2 - 1;
        long from = to - PAGE + 1;
        double[] across = time(option("--runs"), option("--warm-up"),
                () -> expect(store.read(COUPLE, from, to, PAGE), from, to));
        out.printf(Locale.ROOT, "%nSplit the archive between buckets %d and %d: the couple's archive spans %d region(s), "
                + "was %d; a page across the split (%d..%d): %s ms%n", middle - 1, middle, after, before, from, to,
                format(across));
    }

    private int regionsOfCouple(int shard) throws Exception {
        byte[] first = HBaseSchema.archiveRow(shard, COUPLE, 0);
        byte[] last = HBaseSchema.archiveRow(shard, COUPLE, Long.MAX_VALUE);
        int count = 0;
        for (HRegionLocation location : hbase.getRegionLocator(schema.archive()).getAllRegionLocations()
                .get(60, TimeUnit.SECONDS)) {
            byte[] start = location.getRegion().getStartKey();
            byte[] end = location.getRegion().getEndKey();
            boolean startsBeforeLast = Bytes.compareTo(start, last) <= 0;
            boolean endsAfterFirst = end.length == 0 || Bytes.compareTo(end, first) > 0;
            if (startsBeforeLast && endsAfterFirst) {
                count++;
            }
        }
        return count;
    }

    /** What the owner's move of one bucket costs: a second couple, twenty buckets past what it keeps. */
    private void moves(int bucketSize) throws Exception {
        long coupleId = COUPLE + 1;
        int keep = option("--keep-recent");
        int messages = keep + 20 * bucketSize;
        store.create(coupleId, ANN, BOB, 0).get(60, TimeUnit.SECONDS);
        long fence = store.claim(coupleId, 1, 1).get(60, TimeUnit.SECONDS).fence();
        List<Message> batch = new ArrayList<>();
        long last = 0;
        for (long seq = 1; seq <= messages; seq++) {
            batch.add(new Message(seq, "m" + seq, ANN, "phone", seq, MessageKind.TEXT, "x".repeat(option("--text-length"))));
            if (batch.size() == 500 || seq == messages) {
                store.commit(coupleId, fence, last, batch, Map.of()).get(60, TimeUnit.SECONDS);
                last = seq;
                batch = new ArrayList<>();
            }
        }
        List<Double> millis = new ArrayList<>();
        while (true) {
            long started = System.nanoTime();
            MessageArchive.Move move = store.archive().moveNext(coupleId, fence, messages - keep).get(60, TimeUnit.SECONDS);
            if (move.idle()) {
                break;
            }
            millis.add((System.nanoTime() - started) / 1e6);
        }
        Collections.sort(millis);
        out.printf(Locale.ROOT, "%nBucket moves by the owner (%d messages each): %d moves, ms min / median / max: %s%n",
                bucketSize, millis.size(), millis.isEmpty() ? "-" : format(new double[] {millis.get(0),
                        millis.get(millis.size() / 2), millis.get(millis.size() - 1)}));
    }
}
