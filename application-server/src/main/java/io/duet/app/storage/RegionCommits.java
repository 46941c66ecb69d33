package io.duet.app.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.AsyncTableRegionLocator;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.protobuf.ProtobufUtil;
import org.apache.hadoop.hbase.protobuf.generated.ClientProtos.MutationProto.MutationType;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MultiRowMutationService;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsRequest;
import org.apache.hadoop.hbase.protobuf.generated.MultiRowMutationProtos.MutateRowsResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a group of commits region by region: the commits of one region go as one atomic call to HBase's
 * own {@code MultiRowMutationEndpoint} ({@link #ENDPOINT}, which the couples table loads), each commit's
 * fence one of the call's conditions. HBase takes the rows' locks, reads every condition and, only if all
 * hold, writes all the rows as one mini-batch: one WAL append and one WAL sync for the region's share,
 * where a {@code checkAndMutate} costs one each ({@link CommitBatcher#perRow}).
 *
 * <p>If any condition fails, HBase writes nothing, and that region's commits go again, one {@code
 * checkAndMutate} each, which tells the fenced commit apart from the others: a fenced commit is refused
 * exactly as before, only later. So do a region's share of one commit, a share naming a row twice (two
 * conditions read before either write could both hold), a commit that is not a put with a plain condition,
 * and a share whose region split since it was located. A couples table without the endpoint (created by
 * an older release) is written one {@code checkAndMutate} per commit for good, with one warning.
 *
 * <p>Every commit's result completes: the rows' locations are waited for at most {@link #LOCATE_TIMEOUT} (the
 * client's region locator has no deadline of its own), then the group goes one {@code checkAndMutate} each,
 * with the client's operation timeout; and a failure while splitting the group fails the commits still
 * waiting (outcome unknown: their couples reload) instead of leaving them waiting for good.
 */
final class RegionCommits implements CommitBatcher.Writer {
    /** The endpoint's class, part of HBase's server. */
    static final String ENDPOINT = "org.apache.hadoop.hbase.coprocessor.MultiRowMutationEndpoint";
    private static final Logger LOG = LoggerFactory.getLogger(RegionCommits.class);
    /** How long a group waits for its rows' locations before it goes one {@code checkAndMutate} per commit. */
    static final Duration LOCATE_TIMEOUT = Duration.ofSeconds(5);

    private final AsyncTable<?> table;
    private final AsyncTableRegionLocator locator;
    private final LongAdder atomicShares = new LongAdder();
    private final LongAdder sharesAgain = new LongAdder();
    private final Duration locateTimeout;
    private volatile boolean endpointMissing;

    RegionCommits(AsyncTable<?> table, AsyncTableRegionLocator locator) {
        this(table, locator, LOCATE_TIMEOUT);
    }

    RegionCommits(AsyncTable<?> table, AsyncTableRegionLocator locator, Duration locateTimeout) {
        this.table = table;
        this.locator = locator;
        this.locateTimeout = locateTimeout;
    }

    /** Regions' shares written as one atomic call so far. */
    long atomicShares() {
        return atomicShares.sum();
    }

    /** Shares that went again one {@code checkAndMutate} per commit (a condition failed, the region split). */
    long sharesAgain() {
        return sharesAgain.sum();
    }

    @Override
    public List<CompletableFuture<CheckAndMutateResult>> write(List<CheckAndMutate> writes) {
        if (endpointMissing || writes.size() == 1) {
            return CommitBatcher.perRow(table, writes);
        }
        List<CompletableFuture<CheckAndMutateResult>> results = new ArrayList<>(writes.size());
        List<CompletableFuture<HRegionLocation>> locations = new ArrayList<>(writes.size());
        for (CheckAndMutate write : writes) {
            results.add(new CompletableFuture<>());
            locations.add(locator.getRegionLocation(write.getRow()));
        }
        CompletableFuture.allOf(locations.toArray(new CompletableFuture<?>[0]))
                .orTimeout(locateTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((located, error) -> {
                    if (error != null) {
                        // The per-row writes locate their rows themselves, with the client's retries and timeout.
                        forward(writes, results);
                        return;
                    }
                    try {
                        writeByRegion(writes, results, locations);
                    } catch (RuntimeException e) {
                        LOG.error("A group of {} commits failed to go by region; their outcome is unknown", writes.size(), e);
                        results.forEach(result -> result.completeExceptionally(e));
                    }
                });
        return results;
    }

    private void writeByRegion(List<CheckAndMutate> writes, List<CompletableFuture<CheckAndMutateResult>> results,
            List<CompletableFuture<HRegionLocation>> locations) {
        Map<String, List<Integer>> byRegion = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            byRegion.computeIfAbsent(locations.get(i).join().getRegion().getEncodedName(), k -> new ArrayList<>())
                    .add(i);
        }
        List<Integer> alone = new ArrayList<>();
        for (List<Integer> share : byRegion.values()) {
            if (share.size() > 1 && atomicCapable(writes, share)) {
                mutateRows(pick(writes, share), pick(results, share));
            } else {
                alone.addAll(share);
            }
        }
        if (!alone.isEmpty()) {
            forward(pick(writes, alone), pick(results, alone));
        }
    }

    /** Puts under a plain condition, on distinct rows. */
    private static boolean atomicCapable(List<CheckAndMutate> writes, List<Integer> share) {
        Set<ByteBuffer> rows = new HashSet<>();
        for (int i : share) {
            CheckAndMutate write = writes.get(i);
            if (write.hasFilter() || !(write.getAction() instanceof Put) || !rows.add(ByteBuffer.wrap(write.getRow()))) {
                return false;
            }
        }
        return true;
    }

    private void mutateRows(List<CheckAndMutate> share, List<CompletableFuture<CheckAndMutateResult>> results) {
        MutateRowsRequest request;
        try {
            MutateRowsRequest.Builder builder = MutateRowsRequest.newBuilder();
            for (CheckAndMutate write : share) {
                builder.addMutationRequest(ProtobufUtil.toMutation(MutationType.PUT, (Put) write.getAction()));
                builder.addCondition(ProtobufUtil.toCondition(write.getRow(), write.getFamily(), write.getQualifier(),
                        write.getCompareOp(), write.getValue(), write.getTimeRange()));
            }
            request = builder.build();
        } catch (IOException | RuntimeException e) {
            results.forEach(result -> result.completeExceptionally(e));
            return;
        }
        table.<MultiRowMutationService.Stub, MutateRowsResponse>coprocessorService(MultiRowMutationService::newStub,
                (stub, controller, done) -> stub.mutateRows(controller, request, done), share.get(0).getRow())
                .whenComplete((response, error) -> {
                    if (error == null && response.getProcessed()) {
                        atomicShares.increment();
                        CheckAndMutateResult success = new CheckAndMutateResult(true, null);
                        results.forEach(result -> result.complete(success));
                    } else if (error == null || goesAgain(error)) {
                        sharesAgain.increment();
                        forward(share, results);
                    } else {
                        results.forEach(result -> result.completeExceptionally(error));
                    }
                });
    }

    /**
     * Whether a share the endpoint refused may go again one commit at a time: nothing of it was written
     * when the table has no endpoint or the region no longer holds all its rows.
     */
    private boolean goesAgain(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t.getClass().getSimpleName().equals("UnknownProtocolException")
                    || message.contains("No registered coprocessor service")) {
                if (!endpointMissing) {
                    endpointMissing = true;
                    LOG.warn("The couples table has no {}: commits go one checkAndMutate each (slower; see HBaseSchema)",
                            ENDPOINT);
                }
                return true;
            }
            if (message.contains("Requested row out of range")) {
                return true;
            }
        }
        return false;
    }

    /** Writes one {@code checkAndMutate} each and hands their outcomes on. */
    private void forward(List<CheckAndMutate> writes, List<CompletableFuture<CheckAndMutateResult>> results) {
        List<CompletableFuture<CheckAndMutateResult>> sent;
        try {
            sent = CommitBatcher.perRow(table, writes);
        } catch (RuntimeException e) {
            results.forEach(result -> result.completeExceptionally(e));
            return;
        }
        for (int i = 0; i < sent.size(); i++) {
            CompletableFuture<CheckAndMutateResult> result = results.get(i);
            sent.get(i).whenComplete((value, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        }
    }

    private static <T> List<T> pick(List<T> all, List<Integer> indexes) {
        List<T> picked = new ArrayList<>(indexes.size());
        indexes.forEach(i -> picked.add(all.get(i)));
        return picked;
    }
}
