package io.duet.bench;

import io.duet.protocol.api.MessageKind;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.AsyncTableRegionLocator;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.io.TimeRange;
import org.apache.hadoop.hbase.protobuf.ProtobufUtil;
import org.apache.hadoop.hbase.protobuf.generated.ClientProtos.MutationProto.MutationType;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MultiRowMutationService;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsRequest;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsResponse;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Duet-shaped commits straight to HBase, without Duet: {@code couples} rows, each committing batches of
 * 1-4 messages closed loop (one commit in flight per couple, as a couple's owner does), the commits of
 * all couples grouped into multi-requests ({@link CommitGroups}, as {@code CommitBatcher} does). Each
 * commit is the same put as {@code CoupleStore.commit}'s (message cells, dedup cells, the senders' order-stream
 * marks, last sequence, writer cell), fenced one of three ways ({@link Mode}).
 */
final class FencedCommits {
    /** The couples table's families and fence cell, as {@code HBaseSchema} names them. */
    static final byte[] OWNER = bytes("o");
    static final byte[] MESSAGES = bytes("m");
    static final byte[] DEDUP = bytes("x");
    static final byte[] LAST_SEQ = bytes("s");
    static final byte[] WRITER = bytes("w");
    /** {@code FenceObserver.ATTRIBUTE} and {@code FenceObserver.FENCED} (hbase-fence is not on this classpath). */
    static final String FENCE_ATTRIBUTE = "duet.fence";
    static final String FENCED = "duet-fenced:";
    /** Group commits out at a time, and writes in one: {@code CommitBatcher}'s defaults. */
    private static final int REQUESTS_IN_FLIGHT = 2;
    private static final int MAX_GROUP = 256;
    /** A fence value under shard epoch 1, generation 0. */
    static final long FENCE = 1L << 20;

    /** How a commit is fenced. */
    enum Mode {
        /** Today's: a {@code checkAndMutate} on the writer cell per commit, many in one multi-request. */
        CHECK_AND_MUTATE,
        /** Plain puts in one batch, each carrying its expected writer cell; {@code FenceObserver} checks it. */
        COPROCESSOR,
        /**
         * Each region's share of a group as one atomic call to HBase's built-in {@code MultiRowMutationEndpoint},
         * with every commit's writer cell as one of its conditions: one row lock each, one condition read each,
         * then one mini-batch (one WAL append and sync) for all of them. If any condition fails, nothing is
         * written, and that region's commits go again one {@code checkAndMutate} each, which tells them apart.
         */
        MULTI_ROW
    }

    private final AsyncConnection connection;
    private final TableName tableName;
    private final Mode mode;
    private final int couples;
    private final String text;
    private final ThriftCodec codec = ThriftCodec.INTERNAL;

    FencedCommits(AsyncConnection connection, TableName tableName, Mode mode, int couples, int textLength) {
        this.connection = connection;
        this.tableName = tableName;
        this.mode = mode;
        this.couples = couples;
        StringBuilder text = new StringBuilder(textLength);
        Random random = new Random(7);
        for (int i = 0; i < textLength; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        this.text = text.toString();
    }

    static byte[] row(long coupleId) {
        int shard = Shards.shardOf(coupleId, Shards.DEFAULT_SHARD_COUNT);
        byte[] row = new byte[10];
        row[0] = (byte) (shard >>> 8);
        row[1] = (byte) shard;
        Bytes.putLong(row, 2, coupleId);
        return row;
    }

    /** The writer cell: the fence of the owner that wrote last, and the last sequence it wrote. */
    static byte[] writer(long fence, long lastSeq) {
        byte[] value = new byte[2 * Long.BYTES];
        Bytes.putLong(value, 0, fence);
        Bytes.putLong(value, Long.BYTES, lastSeq);
        return value;
    }

    /** Gives every couple a claimed row at sequence 0, as a claim leaves it. */
    void createRows() {
        AsyncTable<?> table = connection.getTable(tableName);
        List<Put> puts = new ArrayList<>();
        for (long couple = 1; couple <= couples; couple++) {
            puts.add(new Put(row(couple)).addColumn(OWNER, bytes("e"), Bytes.toBytes(FENCE))
                    .addColumn(OWNER, LAST_SEQ, Bytes.toBytes(0L)).addColumn(OWNER, WRITER, writer(FENCE, 0)));
        }
        table.putAll(puts).join();
    }

    /**
     * The put of one commit: {@code count} messages after {@code lastSeq}, as {@code CoupleStore.commit}
     * builds it.
     */
    Put commitPut(long coupleId, long lastSeq, int count) {
        Put put = new Put(row(coupleId));
        long seq = lastSeq;
        for (int i = 0; i < count; i++) {
            seq++;
            long sender = coupleId * 2 + (seq & 1);
            String clientMessageId = UUID.randomUUID().toString();
            put.addColumn(MESSAGES, Bytes.toBytes(seq), codec.encode(new StoredMessage().setFence(FENCE)
                    .setClientMessageId(clientMessageId).setSenderId(sender).setSenderDeviceId("phone")
                    .setSentAtMillis(System.currentTimeMillis()).setKind(MessageKind.TEXT.getValue()).setText(text)
                    .setWriterInstance("bench")));
            put.addColumn(DEDUP, dedupQualifier(sender, clientMessageId), Bytes.toBytes(seq));
            // The sender's order-stream mark, as a session's sends carry one (written once per sender and commit).
            put.addColumn(DEDUP, orderQualifier(sender), Bytes.toBytes(seq));
        }
        put.addColumn(OWNER, LAST_SEQ, Bytes.toBytes(seq));
        put.addColumn(OWNER, WRITER, writer(FENCE, seq));
        return put;
    }

    private static byte[] dedupQualifier(long senderId, String clientMessageId) {
        return prefixed((byte) 1, senderId, clientMessageId);
    }

    /** One order stream per sender, named as a session names it (a UUID string). */
    private static byte[] orderQualifier(long senderId) {
        return prefixed((byte) 2, senderId, new UUID(senderId, senderId).toString());
    }

    private static byte[] prefixed(byte prefix, long senderId, String name) {
        byte[] id = name.getBytes(StandardCharsets.UTF_8);
        byte[] qualifier = new byte[1 + Long.BYTES + id.length];
        qualifier[0] = prefix;
        Bytes.putLong(qualifier, 1, senderId);
        System.arraycopy(id, 0, qualifier, 1 + Long.BYTES, id.length);
        return qualifier;
    }

    /** A running load; {@link #stop()} ends it. */
    final class Load {
        private final CommitGroups<Commit, Boolean> groups;
        private final long[] lastSeq = new long[couples + 1];
        private final AtomicLong messages = new AtomicLong();
        private final AtomicLong commits = new AtomicLong();
        private final AtomicInteger busy = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean running = true;

        Load() {
            AsyncTable<?> table = connection.getTable(tableName);
            groups = new CommitGroups<>(REQUESTS_IN_FLIGHT, MAX_GROUP, switch (mode) {
                case CHECK_AND_MUTATE -> commits -> checkAndMutate(table, commits);
                case COPROCESSOR -> commits -> batch(table, commits);
                case MULTI_ROW -> commits -> multiRow(connection, tableName, table, commits);
            });
            for (int couple = 1; couple <= couples; couple++) {
                busy.incrementAndGet();
                next(couple);
            }
        }

        private void next(int couple) {
            if (!running || failure.get() != null) {
                busy.decrementAndGet();
                return;
            }
            int count = 1 + ThreadLocalRandom.current().nextInt(4);
            long expected = lastSeq[couple];
            groups.submit(new Commit(commitPut(couple, expected, count), writer(FENCE, expected))).whenComplete((ok, error) -> {
                if (error != null || !ok) {
                    failure.compareAndSet(null, error != null ? error
                            : new IOException("couple " + couple + " fenced at seq " + expected));
                    busy.decrementAndGet();
                    return;
                }
                lastSeq[couple] = expected + count;
                messages.addAndGet(count);
                commits.incrementAndGet();
                next(couple);
            });
        }

        long messages() {
            return messages.get();
        }

        long commits() {
            return commits.get();
        }

        /** Stops submitting, waits for the commits in flight, and checks every row against what was committed. */
        void stop() throws Exception {
            running = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (busy.get() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(busy.get() + " couples' commits still out a minute after the run");
                }
                Thread.sleep(10);
            }
            if (failure.get() != null) {
                throw new IOException(mode + ": a commit failed", failure.get());
            }
            AsyncTable<?> table = connection.getTable(tableName);
            for (int couple = 1; couple <= couples; couple++) {
                Result row = table.get(new Get(row(couple)).addColumn(OWNER, WRITER)
                        .addColumn(MESSAGES, Bytes.toBytes(lastSeq[couple]))).get(30, TimeUnit.SECONDS);
                if (!Bytes.equals(row.getValue(OWNER, WRITER), writer(FENCE, lastSeq[couple]))
                        || (lastSeq[couple] > 0 && row.getValue(MESSAGES, Bytes.toBytes(lastSeq[couple])) == null)) {
                    throw new IOException(mode + ": couple " + couple + "'s row does not end at seq " + lastSeq[couple]);
                }
            }
        }
    }

    /** One couple's commit: its put, and the writer cell it expects. */
    record Commit(Put put, byte[] expected) {
    }

    private static List<CompletableFuture<Boolean>> checkAndMutate(AsyncTable<?> table, List<Commit> commits) {
        List<CheckAndMutate> writes = new ArrayList<>(commits.size());
        for (Commit commit : commits) {
            writes.add(CheckAndMutate.newBuilder(commit.put().getRow()).ifEquals(OWNER, WRITER, commit.expected())
                    .build(commit.put()));
        }
        List<CompletableFuture<Boolean>> results = new ArrayList<>(writes.size());
        if (writes.size() == 1) {
            results.add(table.checkAndMutate(writes.get(0)).thenApply(CheckAndMutateResult::isSuccess));
        } else {
            table.checkAndMutate(writes).forEach(result -> results.add(result.thenApply(CheckAndMutateResult::isSuccess)));
        }
        return results;
    }

    /**
     * {@link Mode#MULTI_ROW}: the commits grouped by region, each region's as one {@code mutateRows} call with
     * a condition per commit; a region whose conditions did not all hold writes nothing, and its commits go
     * again as {@code checkAndMutate}s.
     */
    static List<CompletableFuture<Boolean>> multiRow(AsyncConnection connection, TableName tableName,
            AsyncTable<?> table, List<Commit> commits) {
        List<CompletableFuture<Boolean>> results = new ArrayList<>(commits.size());
        List<CompletableFuture<HRegionLocation>> locations = new ArrayList<>(commits.size());
        AsyncTableRegionLocator locator = connection.getRegionLocator(tableName);
        for (Commit commit : commits) {
            results.add(new CompletableFuture<>());
            locations.add(locator.getRegionLocation(commit.put().getRow()));
        }
        CompletableFuture.allOf(locations.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, error) -> {
            if (error != null) {
                results.forEach(result -> result.completeExceptionally(error));
                return;
            }
            Map<String, List<Integer>> byRegion = new LinkedHashMap<>();
            for (int i = 0; i < commits.size(); i++) {
                byRegion.computeIfAbsent(locations.get(i).join().getRegion().getEncodedName(), k -> new ArrayList<>()).add(i);
            }
            for (List<Integer> region : byRegion.values()) {
                List<Commit> share = new ArrayList<>(region.size());
                List<CompletableFuture<Boolean>> shareResults = new ArrayList<>(region.size());
                region.forEach(i -> {
                    share.add(commits.get(i));
                    shareResults.add(results.get(i));
                });
                mutateRows(table, share, shareResults);
            }
        });
        return results;
    }

    private static void mutateRows(AsyncTable<?> table, List<Commit> share, List<CompletableFuture<Boolean>> results) {
        MutateRowsRequest.Builder request = MutateRowsRequest.newBuilder();
        try {
            for (Commit commit : share) {
                request.addMutationRequest(ProtobufUtil.toMutation(MutationType.PUT, commit.put()));
                request.addCondition(ProtobufUtil.toCondition(commit.put().getRow(), OWNER, WRITER, CompareOperator.EQUAL,
                        commit.expected(), TimeRange.allTime()));
            }
        } catch (IOException e) {
            results.forEach(result -> result.completeExceptionally(e));
            return;
        }
        MutateRowsRequest built = request.build();
        table.<MultiRowMutationService.Stub, MutateRowsResponse>coprocessorService(MultiRowMutationService::newStub,
                (stub, controller, done) -> stub.mutateRows(controller, built, done), share.get(0).put().getRow())
                .whenComplete((response, error) -> {
                    if (error != null) {
                        results.forEach(result -> result.completeExceptionally(error));
                    } else if (response.getProcessed()) {
                        results.forEach(result -> result.complete(true));
                    } else {
                        List<CompletableFuture<Boolean>> one = checkAndMutate(table, share);
                        for (int i = 0; i < one.size(); i++) {
                            CompletableFuture<Boolean> result = results.get(i);
                            one.get(i).whenComplete((ok, failure) -> {
                                if (failure != null) {
                                    result.completeExceptionally(failure);
                                } else {
                                    result.complete(ok);
                                }
                            });
                        }
                    }
                });
    }

    /** Plain puts in one batch, each carrying the writer cell it expects for the coprocessor to check. */
    static List<CompletableFuture<Boolean>> batch(AsyncTable<?> table, List<Commit> commits) {
        List<Put> puts = new ArrayList<>(commits.size());
        for (Commit commit : commits) {
            puts.add(commit.put().setAttribute(FENCE_ATTRIBUTE, commit.expected()));
        }
        List<CompletableFuture<Boolean>> results = new ArrayList<>(puts.size());
        table.<Object>batch(puts).forEach(result -> results.add(result.handle((ok, error) -> {
            if (error != null && isFenced(error)) {
                return false;
            }
            if (error != null) {
                throw new java.util.concurrent.CompletionException(error);
            }
            return true;
        })));
        return results;
    }

    /** Whether a write failed because {@code FenceObserver} refused it, anywhere in the failure's causes. */
    static boolean isFenced(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(FENCED)) {
                return true;
            }
        }
        return false;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
