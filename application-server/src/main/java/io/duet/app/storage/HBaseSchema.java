package io.duet.app.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Duet's tables, in one namespace.
 *
 * <pre>
 * couples   row = shard (2 bytes) + couple id (8 bytes); pre-split at shard boundaries; loads HBase's
 *           MultiRowMutationEndpoint (group commits, see RegionCommits)
 *   o: (owner, small and hot)  e = owner epoch, s = last committed sequence,
 *                              w = fence of the last writer + last sequence (16 bytes): the one
 *                              cell every commit is conditional on,
 *                              a, b = member user ids, c = created at,
 *                              z = closed at + closed by (16 bytes): the couple was closed (unpaired or an
 *                              account deleted); e and w then hold the closed fence, which no owner has,
 *                              r = archive mark: archived up to sequence (8 bytes) + bucket size (4 bytes);
 *                              absent: nothing archived (see ArchiveMark)
 *   m: (messages)              qualifier = sequence (8 bytes, big-endian, so they sort by sequence),
 *                              value = StoredMessage (compact Thrift): the messages after the archive
 *                              mark, and the edits and deletes of archived messages until the next move
 *                              folds them into the archive
 *   x: (send dedup index)      TTL 14 days, refreshed by every write:
 *                              0x01 + sender (8 bytes) + client message id = sequence;
 *                              0x02 + sender (8 bytes) + order stream = highest ordinal stored
 *   p: (the couple's space)    0x01 + memo id (8 bytes) = StoredMemo, 0x02 = StoredCalendar,
 *                              0x03 + event id (8 bytes) = StoredEvent, 0x04 = StoredReadMarks,
 *                              0x05 + photo id (16 bytes) = StoredPhoto as older releases kept it (moved
 *                              to the photos table by the owner's first photo call, see PhotoMigration),
 *                              0x06 = StoredNicknames, 0x07 + photo id (16 bytes) = the photo's pending
 *                              caption (UTF-8), written with its PHOTO message's edit and cleared once
 *                              the photo has it,
 *                              0x10 = StoredChanges, the change log (written with each message edit,
 *                              see docs/STORAGE.md) (compact Thrift; see SpaceStore)
 * archive   row = couple row (10 bytes) + bucket (8 bytes: (sequence - 1) / bucket size), so that a
 *           couple's buckets sort together, in order, right where its shard's region is; pre-split like
 *           couples. Each row holds one bucket of old messages, moved out of the couple row by its owner
 *           (see MessageArchive), so no row grows without bound and a region may split between any two
 *           buckets of one couple
 *   o:                         w = fence of the owner that wrote the bucket last (8 bytes): a write is
 *                              conditional on it being no newer than the writer's own
 *   m:                         as in couples: qualifier = sequence, value = StoredMessage
 * photos    row = couple row (10 bytes) + marker, so that a couple's rows sort together right where its
 *           shard's region is; pre-split like couples, split only between couples (KeyPrefixRegionSplitPolicy,
 *           prefix 10 bytes), loads MultiRowMutationEndpoint: one write changes several rows of a couple
 *           atomically (see PhotoRows, PhotoStore)
 *   couple row + 0x00 (head)   o:w = fence of the photos' owner: every write is conditional on it;
 *                              o:n = the couple's photo count (8 bytes)
 *   + 0x01 + photo id (16)     p:r = StoredPhoto
 *   + 0x02 + (Long.MAX_VALUE - uploaded at) (8) + photo id (16)
 *                              p:i (empty): the index, newest first, from which a page is one scan
 * users     row = user id (8 bytes)
 *   u:                         email, n = display name, c = created at, k = couple id, i = invite code
 *                              of the pairing that bound k; "t:" + device id = that device's push token
 *                              (StoredPushToken; see PushTokenStore)
 * logins    row = normalized email
 *   l:                         u = user id, h = password hash (Argon2id, PHC string)
 *   a: (log-in attempts)       TTL 2 days: qualifier = window number (8 bytes: epoch millis / the
 *                              per-account limit's period) = wrong passwords tried in it (an 8-byte
 *                              counter, see LogInAttemptStore); also for emails with no login
 * invites   row = invite code
 *   i:                         f = inviter, k = couple id, c = created at, x = expires at,
 *                              a = acceptor, s = state
 * sessions  row = user id (8 bytes) + session id (device sessions: one log-in on one device)
 *   s:                         h = SHA-256 of the current refresh token, p = SHA-256 of the refresh
 *                              tokens used before (the latest few, concatenated), d = device id,
 *                              c = created at, x = expires at
 * </pre>
 *
 * <p>The epoch sits in its own family because every fenced write reads it: in a family full of
 * message cells that read costs 2.5-10x more (see RECIPES.md).
 *
 * <p>couples, archive, photos, users and sessions are pre-split (couples, archive and photos into {@code hbase.couples-regions}
 * regions of whole shards, users and sessions 16 each) unless {@code hbase.pre-split} is false: then every
 * table starts as one region, which HBase splits as it grows. Fewer couples regions let one region's share of
 * a group commit carry more couples, each share one atomic write ({@link RegionCommits}).
 * The integration tests' local clusters turn it off: their one region server gains nothing from many
 * regions, and opening them was most of the time a fresh cluster's application servers took to start.
 */
public final class HBaseSchema {
    public static final byte[] OWNER = bytes("o");
    public static final byte[] MESSAGES = bytes("m");
    public static final byte[] DEDUP = bytes("x");
    public static final byte[] SPACE = bytes("p");
    public static final byte[] USER = bytes("u");
    public static final byte[] LOGIN = bytes("l");
    public static final byte[] LOG_IN_ATTEMPTS = bytes("a");
    public static final byte[] INVITE = bytes("i");
    public static final byte[] SESSION = bytes("s");

    public static final byte[] EPOCH = bytes("e");
    public static final byte[] LAST_SEQ = bytes("s");
    public static final byte[] WRITER = bytes("w");
    public static final byte[] MEMBER_A = bytes("a");
    public static final byte[] MEMBER_B = bytes("b");
    public static final byte[] CREATED = bytes("c");
    public static final byte[] CLOSED = bytes("z");
    public static final byte[] ARCHIVE_MARK = bytes("r");
    /** The archive row's fence cell (family {@link #OWNER}). */
    public static final byte[] ARCHIVE_FENCE = bytes("w");
    /** The photos head row's fence cell (family {@link #OWNER}). */
    public static final byte[] PHOTOS_FENCE = bytes("w");
    /** The photos head row's photo count (family {@link #OWNER}, 8 bytes). */
    public static final byte[] PHOTO_COUNT = bytes("n");
    /** A photo row's record (family {@link #SPACE}: StoredPhoto). */
    public static final byte[] PHOTO_RECORD = bytes("r");
    /** An index row's one cell (family {@link #SPACE}, empty). */
    public static final byte[] PHOTO_INDEX = bytes("i");

    public static final byte[] EMAIL = bytes("email");
    public static final byte[] NAME = bytes("n");
    public static final byte[] COUPLE = bytes("k");
    public static final byte[] PAIRING_INVITE = bytes("i");

    public static final byte[] LOGIN_USER = bytes("u");
    public static final byte[] PASSWORD_HASH = bytes("h");

    public static final byte[] INVITER = bytes("f");
    public static final byte[] EXPIRES = bytes("x");
    public static final byte[] ACCEPTOR = bytes("a");
    public static final byte[] STATE = bytes("s");

    public static final byte[] REFRESH_HASH = bytes("h");
    public static final byte[] USED_HASHES = bytes("p");
    public static final byte[] DEVICE = bytes("d");

    /** How long a log-in attempt counter lives after its last change: two of the longest windows. */
    public static final Duration LOG_IN_ATTEMPTS_TTL = Duration.ofDays(2);
    /** How long a retried send is recognised by its client message id. */
    public static final Duration DEDUP_WINDOW = Duration.ofDays(14);
    /** Whether new tables are pre-split ({@code hbase.pre-split}). */
    public static final boolean DEFAULT_PRE_SPLIT = true;
    /** Regions a new couples table is pre-split into, at most one per shard ({@code hbase.couples-regions}). */
    public static final int DEFAULT_COUPLES_REGIONS = 64;
    /**
     * HBase's own endpoint for atomic conditional writes to several rows of one region, which the couples
     * table loads for group commits ({@link RegionCommits}).
     */
    public static final String MULTI_ROW_ENDPOINT = "org.apache.hadoop.hbase.coprocessor.MultiRowMutationEndpoint";

    /**
     * HBase's split policy that splits a region only between rows whose first {@link #KEY_PREFIX_LENGTH}
     * bytes differ: the photos table's prefix is the couple row's key, so one couple's photo rows never span
     * two regions (and one multi-row write covers any of them).
     */
    public static final String KEY_PREFIX_SPLIT_POLICY = "org.apache.hadoop.hbase.regionserver.KeyPrefixRegionSplitPolicy";
    /** The table setting that {@link #KEY_PREFIX_SPLIT_POLICY} reads its prefix length from. */
    public static final String KEY_PREFIX_LENGTH = "KeyPrefixRegionSplitPolicy.prefix_length";

    private final String namespace;
    private final int shardCount;
    private final boolean preSplit;
    private final int couplesRegions;

    public HBaseSchema(String namespace, int shardCount) {
        this(namespace, shardCount, DEFAULT_PRE_SPLIT);
    }

    /** {@code preSplit} false: tables created from this schema start as one region each. */
    public HBaseSchema(String namespace, int shardCount, boolean preSplit) {
        this(namespace, shardCount, preSplit, DEFAULT_COUPLES_REGIONS);
    }

    /**
     * @param couplesRegions how many regions a pre-split couples table starts with, split at shard
     *     boundaries (at most {@code shardCount}: one per shard)
     */
    public HBaseSchema(String namespace, int shardCount, boolean preSplit, int couplesRegions) {
        if (couplesRegions < 1) {
            throw new IllegalArgumentException("couplesRegions: " + couplesRegions + " (expected: >= 1)");
        }
        this.namespace = namespace;
        this.shardCount = shardCount;
        this.preSplit = preSplit;
        this.couplesRegions = Math.min(couplesRegions, shardCount);
    }

    public String namespace() {
        return namespace;
    }

    public int shardCount() {
        return shardCount;
    }

    public TableName couples() {
        return TableName.valueOf(namespace, "couples");
    }

    /** Old messages of couples, one row per bucket of sequence numbers (see {@link MessageArchive}). */
    public TableName archive() {
        return TableName.valueOf(namespace, "archive");
    }

    /** Photos' metadata, rows keyed by the couple row's key (see {@link PhotoRows}, {@link PhotoStore}). */
    public TableName photos() {
        return TableName.valueOf(namespace, "photos");
    }

    public TableName users() {
        return TableName.valueOf(namespace, "users");
    }

    public TableName logins() {
        return TableName.valueOf(namespace, "logins");
    }

    public TableName invites() {
        return TableName.valueOf(namespace, "invites");
    }

    public TableName sessions() {
        return TableName.valueOf(namespace, "sessions");
    }

    public static byte[] coupleRow(int shard, long coupleId) {
        byte[] row = new byte[10];
        row[0] = (byte) (shard >>> 8);
        row[1] = (byte) shard;
        Bytes.putLong(row, 2, coupleId);
        return row;
    }

    /** The archive row of a couple's bucket: its couple row's key, then the bucket number. */
    public static byte[] archiveRow(int shard, long coupleId, long bucket) {
        byte[] row = new byte[18];
        row[0] = (byte) (shard >>> 8);
        row[1] = (byte) shard;
        Bytes.putLong(row, 2, coupleId);
        Bytes.putLong(row, 10, bucket);
        return row;
    }

    public static byte[] messageQualifier(long seq) {
        return Bytes.toBytes(seq);
    }

    public static byte[] userRow(long userId) {
        return Bytes.toBytes(userId);
    }

    NamespaceDescriptor namespaceDescriptor() {
        return NamespaceDescriptor.create(namespace).build();
    }

    List<TableSpec> tables() {
        return List.of(
                new TableSpec(withMultiRowEndpoint(TableDescriptorBuilder.newBuilder(couples())
                        .setColumnFamily(family(OWNER).setInMemory(true).setBlocksize(8 * 1024).build())
                        .setColumnFamily(family(MESSAGES).build())
                        .setColumnFamily(family(DEDUP).setTimeToLive((int) DEDUP_WINDOW.toSeconds()).build())
                        .setColumnFamily(family(SPACE).build()))
                        .build(), preSplit && couplesRegions > 1 ? shardSplits() : null),
                new TableSpec(TableDescriptorBuilder.newBuilder(archive())
                        .setColumnFamily(family(OWNER).setBlocksize(8 * 1024).build())
                        .setColumnFamily(family(MESSAGES).build())
                        .build(), preSplit && couplesRegions > 1 ? shardSplits() : null),
                new TableSpec(withMultiRowEndpoint(TableDescriptorBuilder.newBuilder(photos())
                        .setRegionSplitPolicyClassName(KEY_PREFIX_SPLIT_POLICY)
                        .setValue(KEY_PREFIX_LENGTH, String.valueOf(PhotoRows.PREFIX_LENGTH))
                        .setColumnFamily(family(OWNER).setInMemory(true).setBlocksize(8 * 1024).build())
                        .setColumnFamily(family(SPACE).build()))
                        .build(), preSplit && couplesRegions > 1 ? shardSplits() : null),
                new TableSpec(TableDescriptorBuilder.newBuilder(users())
                        .setColumnFamily(family(USER).build()).build(), preSplit ? leadingByteSplits() : null),
                new TableSpec(TableDescriptorBuilder.newBuilder(logins())
                        .setColumnFamily(family(LOGIN).build())
                        .setColumnFamily(family(LOG_IN_ATTEMPTS).setTimeToLive((int) LOG_IN_ATTEMPTS_TTL.toSeconds())
                                .build()).build(), null),
                new TableSpec(TableDescriptorBuilder.newBuilder(invites())
                        .setColumnFamily(family(INVITE).build()).build(), null),
                new TableSpec(TableDescriptorBuilder.newBuilder(sessions())
                        .setColumnFamily(family(SESSION).build()).build(), preSplit ? leadingByteSplits() : null));
    }

    private static TableDescriptorBuilder withMultiRowEndpoint(TableDescriptorBuilder table) {
        try {
            return table.setCoprocessor(MULTI_ROW_ENDPOINT);
        } catch (IOException e) {
            throw new UncheckedIOException("invalid coprocessor " + MULTI_ROW_ENDPOINT, e);
        }
    }

    private static ColumnFamilyDescriptorBuilder family(byte[] name) {
        return ColumnFamilyDescriptorBuilder.newBuilder(name).setMaxVersions(1).setBloomFilterType(BloomType.ROW);
    }

    /**
     * {@code couplesRegions} regions of as many shards each as can be: region i starts at the row prefix of
     * shard {@code i * shardCount / couplesRegions}. A shard's rows never straddle a split point, and one
     * couple is one row, which HBase never splits.
     */
    private byte[][] shardSplits() {
        byte[][] splits = new byte[couplesRegions - 1][];
        for (int region = 1; region < couplesRegions; region++) {
            int shard = (int) ((long) region * shardCount / couplesRegions);
            splits[region - 1] = new byte[] {(byte) (shard >>> 8), (byte) shard};
        }
        return splits;
    }

    /** User ids are random positive longs: 16 regions by the top bits of their first byte. */
    private static byte[][] leadingByteSplits() {
        byte[][] splits = new byte[15][];
        for (int i = 1; i < 16; i++) {
            splits[i - 1] = new byte[] {(byte) (i << 3)};
        }
        return splits;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A table and how to pre-split it (null: one region). */
    static final class TableSpec {
        final TableDescriptor descriptor;
        final byte[][] splits;

        TableSpec(TableDescriptor descriptor, byte[][] splits) {
            this.descriptor = descriptor;
            this.splits = splits;
        }
    }
}
