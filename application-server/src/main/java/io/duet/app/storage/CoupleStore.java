package io.duet.app.storage;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Couple rows. An owner claims a row by raising its fence ({@link #claim}), and every later write
 * ({@link #commit}) is conditional on the row's writer cell (the fence of the last writer and the last
 * sequence number) being what this owner last wrote, so a deposed owner that keeps running (a long GC
 * pause, a lost ZooKeeper session) cannot write, and a late batch cannot move the sequence back: such
 * writes fail with {@link FencedException}.
 *
 * <p>Releases from before the writer cell claim and commit on the epoch cell alone. Rows they wrote are
 * read and claimed correctly, but a cluster must not run them beside this one (their claims do not change
 * the writer cell, so they would not fence this release's commits): upgrade from them with a full stop.
 */
public final class CoupleStore {
    private static final int CLAIM_ATTEMPTS = 5;
    /** Bits of a fence value below the shard epoch, counting reloads within one epoch. */
    static final int GENERATION_BITS = 20;
    /** Dedup-family qualifiers: sender + client message id, and sender + order stream. */
    private static final byte DEDUP_PREFIX = 1;
    static final byte ORDER_PREFIX = 2;

    private final AsyncTable<?> table;
    private final HBaseSchema schema;
    private final ThriftCodec codec = ThriftCodec.INTERNAL;
    private final LongAdder messagesCommitted = new LongAdder();
    private final StoreMeters meters;
    private final SpaceStore space;
    private final CoupleClosures closures;
    private final MessageArchive archive;
    private final PhotoStore photos;
    private final PhotoMigration photoMigration;
    private final CommitBatcher commits;
    /** Null when every commit goes as a {@code checkAndMutate} of its own. */
    private final RegionCommits regionCommits;
    /** Recorded with every message this store commits; null records none. */
    private final String writerInstance;

    /** @param settings meters, group commits out at a time, and the writer recorded ({@link CoupleStoreSettings}) */
    public CoupleStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks,
            CoupleStoreSettings settings) {
        this.table = connection.getTable(schema.couples(), callbacks);
        this.schema = schema;
        this.meters = settings.meters();
        this.writerInstance = settings.writerInstance().orElse(null);
        this.space = new SpaceStore(table, schema);
        this.archive = new MessageArchive(connection, schema, callbacks, settings.archiveBucketSize(), meters);
        this.photos = new PhotoStore(connection, schema, callbacks);
        this.photoMigration = new PhotoMigration(table, photos, settings.photoMigrationBatch());
        this.closures = new CoupleClosures(table, schema, archive, photos, photoMigration);
        this.regionCommits = settings.commitsPerRegion()
                ? new RegionCommits(table, connection.getRegionLocator(schema.couples())) : null;
        this.commits = new CommitBatcher(regionCommits != null ? regionCommits
                : writes -> CommitBatcher.perRow(table, writes), settings.commitRequestsInFlight());
    }

    /** The couple's space (memos and calendar) in the same rows, under the same fence. */
    public SpaceStore space() {
        return space;
    }

    /** The old messages, moved out of the couple rows (see {@link MessageArchive}). */
    public MessageArchive archive() {
        return archive;
    }

    /** Photos' metadata, in rows of their own (see {@link PhotoStore}). */
    public PhotoStore photos() {
        return photos;
    }

    /** Moves photos' metadata that older releases kept in the couple row to {@link #photos()}. */
    public PhotoMigration photoMigration() {
        return photoMigration;
    }

    /** Closing and purging couple rows (unpairing, account deletion). */
    public CoupleClosures closures() {
        return closures;
    }

    /**
     * Users' messages this store has committed since it was made (their conditional writes succeeded);
     * a starting server's warm-up couples, whose ids are negative, are not counted.
     */
    public long messagesCommitted() {
        return messagesCommitted.sum();
    }

    /** Shards the couples are spread over; a couple's shard decides its row's region. */
    public int shardCount() {
        return schema.shardCount();
    }

    /** Regions' shares of group commits written as one atomic call so far (for tests). */
    public long atomicRegionShares() {
        return regionCommits == null ? 0 : regionCommits.atomicShares();
    }

    private byte[] row(long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    /**
     * Creates the row of a new couple at epoch 0, unless it exists. Idempotent: true when the row now
     * exists with exactly these members.
     */
    public CompletableFuture<Boolean> create(long coupleId, long userA, long userB, long createdAtMillis) {
        byte[] row = row(coupleId);
        Put put = new Put(row)
                .addColumn(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(0L))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.LAST_SEQ, Bytes.toBytes(0L))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(0, 0))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_A, Bytes.toBytes(userA))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_B, Bytes.toBytes(userB))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.CREATED, Bytes.toBytes(createdAtMillis));
        CheckAndMutate create = CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.OWNER, HBaseSchema.EPOCH).build(put);
        return meters.timed(StoreMeters.Op.CREATE, table.checkAndMutate(create)).thenCompose(result -> result.isSuccess()
                ? CompletableFuture.completedFuture(true)
                : members(coupleId).thenApply(members -> members
                        .map(m -> (m[0] == userA && m[1] == userB) || (m[0] == userB && m[1] == userA))
                        .orElse(false)));
    }

    /** The two members of a couple, if its row exists. */
    public CompletableFuture<Optional<long[]>> members(long coupleId) {
        Get get = new Get(row(coupleId)).addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_A)
                .addColumn(HBaseSchema.OWNER, HBaseSchema.MEMBER_B);
        return meters.timed(StoreMeters.Op.MEMBERS, table.get(get)).thenApply(result -> {
            byte[] a = result.getValue(HBaseSchema.OWNER, HBaseSchema.MEMBER_A);
            byte[] b = result.getValue(HBaseSchema.OWNER, HBaseSchema.MEMBER_B);
            return a == null || b == null ? Optional.empty() : Optional.of(new long[] {Bytes.toLong(a), Bytes.toLong(b)});
        });
    }

    /**
     * Takes ownership of a couple row for shard epoch {@code epoch} and loads it. Fails with
     * {@link FencedException} if the row was already claimed under a newer shard epoch, with
     * {@link CoupleNotFoundException} if there is no such couple, and with {@link CoupleClosedException} if
     * it was closed.
     *
     * <p>The row holds a fence value: the shard epoch in the high bits and a generation below it.
     * Claiming under a newer shard epoch starts at generation 0; claiming again under the same shard
     * epoch (this server reloading a couple after a write with an unknown outcome) raises the
     * generation, so that a late write from the previous load is fenced too.
     */
    public CompletableFuture<CoupleSnapshot> claim(long coupleId, long epoch, int recentLimit) {
        return meters.timed(StoreMeters.Op.CLAIM, claimAttempt(coupleId, epoch, recentLimit, CLAIM_ATTEMPTS));
    }

    /** The shard epoch a fence value was claimed under. */
    public static long shardEpochOf(long fence) {
        return fence >>> GENERATION_BITS;
    }

    /**
     * Two round trips before the owner may write: read the owner cells, then claim them conditional on the
     * writer cell, which every commit changes, so that the last sequence number read is still the last; the
     * fence of the couple's photo rows is raised beside that claim ({@link PhotoStore#raiseFence}).
     * Beside the claim go the order streams' marks ({@link OrderMarks}): only commits write them, so if the
     * claim succeeds no commit landed after the owner cells were read, and none can land after it: the
     * marks read are the row's. The recent messages and the read marks are read only once the claim
     * succeeded, and may arrive after the owner started writing: an edit or delete ({@link #rewriteMessage})
     * or a read mark ({@link SpaceStore#write}) of the previous owner is conditional on the epoch cell alone,
     * so it may land until the claim, never after it, and what is read then is what the row keeps.
     */
    private CompletableFuture<CoupleSnapshot> claimAttempt(long coupleId, long epoch, int recentLimit, int attemptsLeft) {
        byte[] row = row(coupleId);
        return table.get(new Get(row).addFamily(HBaseSchema.OWNER)).thenCompose(owner -> {
            byte[] current = owner.getValue(HBaseSchema.OWNER, HBaseSchema.EPOCH);
            if (current == null) {
                throw new CoupleNotFoundException(coupleId);
            }
            if (owner.getValue(HBaseSchema.OWNER, HBaseSchema.CLOSED) != null) {
                throw new CoupleClosedException(coupleId);
            }
            long rowFence = Bytes.toLong(current);
            long rowEpoch = shardEpochOf(rowFence);
            if (rowEpoch > epoch) {
                throw new FencedException(coupleId, epoch, "row claimed at shard epoch " + rowEpoch);
            }
            long fence = rowEpoch == epoch ? rowFence + 1 : epoch << GENERATION_BITS;
            if (shardEpochOf(fence) != epoch) {
                throw new FencedException(coupleId, epoch, "too many reloads within one shard epoch");
            }
            // Conditional on the writer cell, which every commit changes: a commit of the previous owner
            // that lands after our read makes this claim fail and read again. A row written before the
            // writer cell existed is claimed on its epoch, and gets one.
            byte[] writer = owner.getValue(HBaseSchema.OWNER, HBaseSchema.WRITER);
            long lastSeq = writer != null ? Bytes.toLong(writer, Long.BYTES) : longValue(owner, HBaseSchema.LAST_SEQ);
            long userA = longValue(owner, HBaseSchema.MEMBER_A);
            long userB = longValue(owner, HBaseSchema.MEMBER_B);
            CheckAndMutate claim = CheckAndMutate.newBuilder(row)
                    .ifEquals(HBaseSchema.OWNER, writer != null ? HBaseSchema.WRITER : HBaseSchema.EPOCH,
                            writer != null ? writer : current)
                    .build(new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(fence))
                            .addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(fence, lastSeq)));
            // A row without a writer cell was last written by a release whose commits the claim's condition
            // does not see: its streams are read when their first sends come.
            CompletableFuture<Map<OrderKey, Long>> marks = writer == null ? CompletableFuture.completedFuture(Map.of())
                    : table.get(OrderMarks.recentMarks(row, System.currentTimeMillis())).thenApply(OrderMarks::parse);
            // The photo rows are fenced beside the couple row: a deposed owner's photo writes are refused once
            // this claim succeeds. A fence raised by an attempt that then fails only fences the old owner sooner.
            CompletableFuture<Boolean> photosFenced = photos.raiseFence(coupleId, fence);
            return table.checkAndMutate(claim).thenCombine(marks.thenCombine(photosFenced, (orderMarks, fenced) -> {
                if (!fenced) {
                    throw new FencedException(coupleId, epoch, "the couple's photos were claimed at a newer fence");
                }
                return orderMarks;
            }), (claimed, orderMarks) -> {
                if (claimed.isSuccess() && writer == null) {
                    return claimedLegacyRow(coupleId, epoch, fence, lastSeq, userA, userB, recentLimit);
                }
                if (claimed.isSuccess()) {
                    return CompletableFuture.completedFuture(new CoupleSnapshot(coupleId, fence, userA, userB, lastSeq,
                            orderMarks, recent(coupleId, lastSeq, recentLimit), readMarksAndChanges(coupleId)));
                }
                if (attemptsLeft <= 1) {
                    throw new FencedException(coupleId, epoch, "lost the claim race repeatedly");
                }
                return claimAttempt(coupleId, epoch, recentLimit, attemptsLeft - 1);
            }).thenCompose(next -> next);
        });
    }

    /**
     * A row written before the writer cell was claimed on its epoch cell, which an older release's
     * commits leave as they are: one may have landed between our read and the claim. Its commits are
     * fenced from now on, so the last sequence number read now is final; the writer cell, written with
     * the one read before the claim, is set right, conditional on nobody having claimed since.
     */
    private CompletableFuture<CoupleSnapshot> claimedLegacyRow(long coupleId, long epoch, long fence, long lastSeqBefore,
            long userA, long userB, int recentLimit) {
        byte[] row = row(coupleId);
        return table.get(new Get(row).addColumn(HBaseSchema.OWNER, HBaseSchema.LAST_SEQ)).thenCompose(after -> {
            long last = longValue(after, HBaseSchema.LAST_SEQ);
            CompletableFuture<Boolean> settled = last == lastSeqBefore ? CompletableFuture.completedFuture(true)
                    : table.checkAndMutate(CheckAndMutate.newBuilder(row)
                            .ifEquals(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(fence, lastSeqBefore))
                            .build(new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(fence, last))))
                            .thenApply(CheckAndMutateResult::isSuccess);
            return settled.thenApply(ok -> {
                if (!ok) {
                    throw new FencedException(coupleId, epoch, "claimed again while loading");
                }
                return new CoupleSnapshot(coupleId, fence, userA, userB, last, Map.of(),
                        recent(coupleId, last, recentLimit), readMarksAndChanges(coupleId));
            });
        });
    }

    /**
     * The read-marks and change-log cells, read only once the claim succeeded: both are written under the
     * epoch cell alone, so a previous owner's last mark or change may land until the claim, never after it.
     */
    private CompletableFuture<Result> readMarksAndChanges(long coupleId) {
        return table.get(new Get(row(coupleId)).addColumn(HBaseSchema.SPACE, SpaceStore.readMarksQualifier())
                .addColumn(HBaseSchema.SPACE, SpaceStore.changesQualifier()));
    }

    private CompletableFuture<List<Message>> recent(long coupleId, long lastSeq, int limit) {
        return lastSeq == 0 ? CompletableFuture.completedFuture(List.of())
                : read(coupleId, Math.max(1, lastSeq - limit + 1), lastSeq, limit);
    }

    /** The writer cell: the fence of the owner that wrote last, and the last sequence it wrote. */
    private static byte[] writer(long fence, long lastSeq) {
        byte[] value = new byte[2 * Long.BYTES];
        Bytes.putLong(value, 0, fence);
        Bytes.putLong(value, Long.BYTES, lastSeq);
        return value;
    }

    /**
     * Stores a batch of messages (consecutive sequence numbers, right after {@code expectedLastSeq}) in
     * one conditional write: all or nothing, and only while the row's fence is still the one claimed
     * <em>and</em> its last sequence is still {@code expectedLastSeq}, so that a replayed or delayed
     * older batch can never move the couple's sequence backwards or write over newer messages. The write
     * goes to HBase together with other couples' commits ({@link CommitBatcher}), each under its own
     * condition (with those in the same region as one atomic call, {@link RegionCommits}).
     *
     * @param orderMarks the highest ordinal stored per order stream by this batch, keyed by {@link
     *     #orderKey}; written in the same mutation
     */
    public CompletableFuture<Void> commit(long coupleId, long fence, long expectedLastSeq, List<Message> batch,
            Map<OrderKey, Long> orderMarks) {
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] row = row(coupleId);
        Put put = new Put(row);
        long lastSeq = expectedLastSeq;
        for (Message message : batch) {
            if (message.getSeq() != lastSeq + 1) {
                throw new IllegalArgumentException("batch: seq " + message.getSeq() + " (expected: " + (lastSeq + 1) + ")");
            }
            put.addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(message.getSeq()), encode(message, fence));
            put.addColumn(HBaseSchema.DEDUP, dedupQualifier(message.getSenderId(), message.getClientMessageId()),
                    Bytes.toBytes(message.getSeq()));
            lastSeq = message.getSeq();
        }
        orderMarks.forEach((key, ordinal) -> put.addColumn(HBaseSchema.DEDUP, key.qualifier(), Bytes.toBytes(ordinal)));
        put.addColumn(HBaseSchema.OWNER, HBaseSchema.LAST_SEQ, Bytes.toBytes(lastSeq));
        put.addColumn(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(fence, lastSeq));
        // One small cell holds both, so the condition reads one column, whatever the row's size.
        CheckAndMutate fenced = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.WRITER, writer(fence, expectedLastSeq)).build(put);
        int messages = batch.size();
        meters.batch(messages);
        return meters.timed(StoreMeters.Op.COMMIT, commits.submit(fenced).thenAccept(result -> {
            if (!result.isSuccess()) {
                throw new FencedException(coupleId, shardEpochOf(fence),
                        "the row was claimed again, or its last sequence moved past " + expectedLastSeq + ", before this commit");
            }
            if (coupleId >= 0) {
                messagesCommitted.add(messages);
            }
        }));
    }

    /**
     * Deletes a couple's whole row, and the head of its photo rows (its claim made one). Only the warm-up
     * couples of starting servers, which no user belongs to and which have no photos, are ever deleted.
     */
    public CompletableFuture<Void> deleteCouple(long coupleId) {
        return meters.timed(StoreMeters.Op.DELETE, table.delete(new Delete(row(coupleId)))
                .thenCompose(deleted -> photos.deleteHead(coupleId)));
    }

    /**
     * Up to {@code limit} messages with sequence numbers in [fromSeq, toSeq], oldest first, from the couple
     * row or the archive ({@link MessageArchive#read}).
     */
    public CompletableFuture<List<Message>> read(long coupleId, long fromSeq, long toSeq, int limit) {
        return meters.timed(StoreMeters.Op.READ, archive.read(coupleId, fromSeq, toSeq, limit));
    }

    /**
     * What the row knows about a send it may have stored before this load: the sequence number of
     * {@code senderId}'s message {@code clientMessageId}, within the dedup window, and, when the send
     * names an order stream, the highest ordinal stored from that stream. One read.
     */
    public CompletableFuture<SendHistory> findSend(long coupleId, long senderId, String clientMessageId,
            OrderKey orderKey) {
        byte[] dedup = dedupQualifier(senderId, clientMessageId);
        byte[] legacy = legacyDedupQualifier(clientMessageId);
        Get get = new Get(row(coupleId)).addColumn(HBaseSchema.DEDUP, dedup).addColumn(HBaseSchema.DEDUP, legacy);
        if (orderKey != null) {
            get.addColumn(HBaseSchema.DEDUP, orderKey.qualifier());
        }
        return meters.timed(StoreMeters.Op.FIND_SEND, table.get(get)).thenCompose(result -> {
            byte[] seq = result.getValue(HBaseSchema.DEDUP, dedup);
            byte[] ordinal = orderKey == null ? null : result.getValue(HBaseSchema.DEDUP, orderKey.qualifier());
            long lastOrdinal = ordinal == null ? SendHistory.NO_ORDINAL : Bytes.toLong(ordinal);
            if (seq != null) {
                return CompletableFuture.completedFuture(new SendHistory(OptionalLong.of(Bytes.toLong(seq)), lastOrdinal));
            }
            byte[] legacySeq = result.getValue(HBaseSchema.DEDUP, legacy);
            if (legacySeq == null) {
                return CompletableFuture.completedFuture(new SendHistory(OptionalLong.empty(), lastOrdinal));
            }
            // Written before dedup was keyed by sender: it counts only if this sender stored it.
            long legacyAt = Bytes.toLong(legacySeq);
            return read(coupleId, legacyAt, legacyAt, 1).thenApply(found -> new SendHistory(
                    !found.isEmpty() && found.get(0).getSenderId() == senderId ? OptionalLong.of(legacyAt)
                            : OptionalLong.empty(), lastOrdinal));
        });
    }

    /** Dedup is per sender: two partners' clients may pick the same id without clashing. */
    static byte[] dedupQualifier(long senderId, String clientMessageId) {
        return prefixed(DEDUP_PREFIX, senderId, clientMessageId);
    }

    /** The qualifier of the first release, which keyed dedup by client message id alone. */
    private static byte[] legacyDedupQualifier(String clientMessageId) {
        return clientMessageId.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] prefixed(byte prefix, long senderId, String name) {
        byte[] text = name.getBytes(StandardCharsets.UTF_8);
        byte[] qualifier = new byte[1 + Long.BYTES + text.length];
        qualifier[0] = prefix;
        Bytes.putLong(qualifier, 1, senderId);
        System.arraycopy(text, 0, qualifier, 1 + Long.BYTES, text.length);
        return qualifier;
    }

    /** One sender's order stream: the key of its ordinal mark in the dedup family. */
    public static final class OrderKey {
        private final long senderId;
        private final String stream;

        public OrderKey(long senderId, String stream) {
            this.senderId = senderId;
            this.stream = Objects.requireNonNull(stream, "stream");
        }

        byte[] qualifier() {
            return prefixed(ORDER_PREFIX, senderId, stream);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof OrderKey && ((OrderKey) other).senderId == senderId
                    && ((OrderKey) other).stream.equals(stream);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(senderId) * 31 + stream.hashCode();
        }

        @Override
        public String toString() {
            return senderId + "/" + stream;
        }
    }

    /** See {@link #findSend}. */
    public static final class SendHistory {
        /** No ordinal of the stream is stored (a new stream, or one idle past the dedup window). */
        public static final long NO_ORDINAL = -1;

        private final OptionalLong storedSeq;
        private final long lastOrdinal;

        SendHistory(OptionalLong storedSeq, long lastOrdinal) {
            this.storedSeq = storedSeq;
            this.lastOrdinal = lastOrdinal;
        }

        /** The sequence number the message was stored under, if it was. */
        public OptionalLong storedSeq() {
            return storedSeq;
        }

        /** The highest ordinal of the send's order stream stored so far, or {@link #NO_ORDINAL}. */
        public long lastOrdinal() {
            return lastOrdinal;
        }
    }

    private byte[] encode(Message message, long fence) {
        return codec.encode(new StoredMessage()
                .setFence(fence)
                .setClientMessageId(message.getClientMessageId())
                .setSenderId(message.getSenderId())
                .setSenderDeviceId(message.getSenderDeviceId())
                .setSentAtMillis(message.getSentAtMillis())
                .setKind(message.getKind() == null ? MessageKind.TEXT.getValue() : message.getKind().getValue())
                .setText(message.getText())
                .setPhotoId(message.getPhotoId())
                .setStickerPackId(message.isSetSticker() ? message.getSticker().getPackId() : null)
                .setStickerId(message.isSetSticker() ? message.getSticker().getStickerId() : null)
                .setWriterInstance(writerInstance));
    }

    /**
     * The client's view of a stored message. A tombstone shows only its own fields (whatever else a newer
     * release kept in it); a kind this release does not know is shown as TEXT, its text as stored.
     */
    public static Message toMessage(long seq, StoredMessage stored) {
        Message message = new Message()
                .setSeq(seq)
                .setClientMessageId(stored.getClientMessageId())
                .setSenderId(stored.getSenderId())
                .setSenderDeviceId(stored.getSenderDeviceId())
                .setSentAtMillis(stored.getSentAtMillis());
        if (stored.getVersion() != 0) {
            message.setVersion(stored.getVersion());
        }
        if (stored.isSetEditedAtMillis()) {
            message.setEditedAtMillis(stored.getEditedAtMillis());
        }
        if (stored.isDeleted()) {
            return message.setDeleted(true).setDeletedAtMillis(stored.getDeletedAtMillis()).setKind(null);
        }
        MessageKind kind = MessageKind.findByValue(stored.getKind());
        message.setKind(kind == null ? MessageKind.TEXT : kind)
                .setText(stored.getText())
                .setPhotoId(stored.getPhotoId());
        if (stored.isSetStickerPackId() && stored.isSetStickerId()) {
            message.setSticker(new StickerRef(stored.getStickerPackId(), stored.getStickerId()));
        }
        return message;
    }

    /**
     * The stored value of message {@code seq}, as HBase has it (in the couple row or the archive), or null if
     * it has none: for an edit, which decodes it keeping the fields this release does not know.
     */
    public CompletableFuture<byte[]> readStoredMessage(long coupleId, long seq) {
        return meters.timed(StoreMeters.Op.READ, archive.readStored(coupleId, seq));
    }

    /**
     * Writes over committed message {@code seq} (its sender's edit or delete) in the couple row, archived or
     * not (the next archive move folds it in), with the couple's change log ({@code changes}, a {@code
     * StoredChanges} that numbers this change) in the same write, if the row is still claimed with {@code
     * fence}, like a space write ({@link SpaceStore#write}); fails with {@link FencedException}
     * if it is not. Only the owner that claimed the row rewrites messages, one change at a time, and only
     * messages it knows committed, so a rewrite never races a commit of the same cell. {@code caption} not
     * null: the message is photo {@code photoId}'s PHOTO message and its caption changed to this; the photo's
     * pending caption is written with it ({@link SpaceStore#captionQualifier}).
     */
    public CompletableFuture<Void> rewriteMessage(long coupleId, long fence, long seq, byte[] value, byte[] changes) {
        return rewriteMessage(coupleId, fence, seq, value, changes, null, null);
    }

    /** {@link #rewriteMessage(long, long, long, byte[], byte[])}, with photo {@code photoId}'s pending caption. */
    public CompletableFuture<Void> rewriteMessage(long coupleId, long fence, long seq, byte[] value, byte[] changes,
            String photoId, String caption) {
        byte[] row = row(coupleId);
        Put put = new Put(row).addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq), value)
                .addColumn(HBaseSchema.SPACE, SpaceStore.changesQualifier(), changes);
        if (caption != null) {
            put.addColumn(HBaseSchema.SPACE, SpaceStore.captionQualifier(photoId), caption.getBytes(StandardCharsets.UTF_8));
        }
        CheckAndMutate rewrite = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.OWNER, HBaseSchema.EPOCH, Bytes.toBytes(fence)).build(put);
        return meters.timed(StoreMeters.Op.REWRITE, table.checkAndMutate(rewrite)).thenAccept(result -> {
            if (!result.isSuccess()) {
                throw new FencedException(coupleId, shardEpochOf(fence), "the row was claimed again before this edit");
            }
        });
    }

    private static long longValue(Result result, byte[] qualifier) {
        byte[] value = result.getValue(HBaseSchema.OWNER, qualifier);
        return value == null ? 0 : Bytes.toLong(value);
    }
}
