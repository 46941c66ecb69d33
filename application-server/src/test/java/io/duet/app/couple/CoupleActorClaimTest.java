package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.KeyValue;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A new owner takes sends as soon as its claim holds: the recent messages and read marks it reads after
 * the claim come later, and only read-mark calls wait for them. The table under the store is a stand-in
 * that answers the claim's reads and writes at once and holds the reads made after the claim.
 */
class CoupleActorClaimTest {
    private static final long COUPLE = 79;
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final long LAST_SEQ = 5;

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** The reads of messages and read marks, made after the claim, not answered yet. */
    private final List<CompletableFuture<Result>> afterClaim = new ArrayList<>();
    private final List<String> writes = new ArrayList<>();
    private CoupleActor actor;

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static Cell owner(byte[] qualifier, byte[] value) {
        return new KeyValue(new byte[] {1}, HBaseSchema.OWNER, qualifier, 1L, value);
    }

    private Object answer(String method, Object[] args) {
        if (method.equals("get")) {
            Get get = (Get) args[0];
            if (get.familySet().contains(HBaseSchema.OWNER)) {
                byte[] writer = new byte[2 * Long.BYTES];
                Bytes.putLong(writer, Long.BYTES, LAST_SEQ);
                return CompletableFuture.completedFuture(Result.create(List.of(
                        owner(HBaseSchema.MEMBER_A, Bytes.toBytes(ANN)), owner(HBaseSchema.MEMBER_B, Bytes.toBytes(BOB)),
                        owner(HBaseSchema.EPOCH, Bytes.toBytes(0L)), owner(HBaseSchema.LAST_SEQ, Bytes.toBytes(LAST_SEQ)),
                        owner(HBaseSchema.WRITER, writer))));
            }
            if (get.familySet().contains(HBaseSchema.DEDUP)) {
                return CompletableFuture.completedFuture(Result.EMPTY_RESULT); // marks, dedup: none stored
            }
            CompletableFuture<Result> held = new CompletableFuture<>();
            afterClaim.add(held);
            return held;
        }
        if (method.equals("checkAndMutate")) {
            writes.add(((org.apache.hadoop.hbase.client.CheckAndMutate) args[0]).getAction().toString());
            return CompletableFuture.completedFuture(new CheckAndMutateResult(true, null));
        }
        throw new UnsupportedOperationException(method);
    }

    private void startActor() {
        startActor(CompletableFuture.completedFuture(null));
    }

    /** @param released when the claim may be made (see {@code MapAcks}) */
    private void startActor(CompletableFuture<?> released) {
        AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(AsyncTable.class.getClassLoader(),
                new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> answer(method.getName(), args));
        AsyncConnection connection = (AsyncConnection) Proxy.newProxyInstance(AsyncConnection.class.getClassLoader(),
                new Class<?>[] {AsyncConnection.class},
                (proxy, method, args) -> method.getName().equals("getTable") ? table : null);
        CoupleStore store = new CoupleStore(connection, new HBaseSchema("none", 4), null, CoupleStoreSettings.defaults());
        CoupleLimits limits = CoupleLimits.builder().build();
        actor = new CoupleActor(COUPLE, 0, 1, new SerialExecutor(Runnable::run, "couple-" + COUPLE),
                CoupleServices.builder(store, limits, new CatchUpReads(CatchUpLimits.defaults(), timers), timers).build(),
                () -> true, retired -> { });
        actor.start(released);
    }

    @Test
    void theClaimWaitsUntilNoOtherServerCanServeTheCoupleAndCallsWaitForIt() throws Exception {
        CompletableFuture<Void> released = new CompletableFuture<>();
        startActor(released);
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        assertThat(writes).as("no claim while another server may still serve the couple").isEmpty();
        assertThat(sent).isNotDone();

        released.complete(null);
        assertThat(writes).as("the claim, beside it the photo rows' fence, then the waiting send's commit")
                .hasSize(3);
        assertThat(sent).isCompleted();
        assertThat(sent.get().getSeq()).isEqualTo(LAST_SEQ + 1);
    }

    @Test
    void aClaimReleasedAfterTheCoupleUnloadedIsNotMade() {
        CompletableFuture<Void> released = new CompletableFuture<>();
        startActor(released);
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        actor.close("shard 0 moved");
        assertThat(sent).isCompletedExceptionally();
        released.complete(null);
        assertThat(writes).as("no fence raised for a load given up").isEmpty();
    }

    @Test
    void sendsGoOnWhileTheRecentMessagesAndReadMarksAreStillBeingRead() throws Exception {
        startActor();
        assertThat(afterClaim).as("messages and read marks, read once the claim held").hasSize(2);
        assertThat(writes).as("the claim, and beside it the photo rows' fence").hasSize(2);

        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        assertThat(sent).isCompleted();
        assertThat(sent.get().getSeq()).isEqualTo(LAST_SEQ + 1);

        CompletableFuture<ReadState> marked = actor.markRead(BOB, LAST_SEQ + 1);
        assertThat(marked).as("waits for the read marks").isNotDone();
        afterClaim.forEach(read -> read.complete(Result.EMPTY_RESULT));
        assertThat(marked).isCompleted();
        assertThat(marked.get().getReadUpTo()).isEqualTo(LAST_SEQ + 1);
    }

    @Test
    void readMarkCallsWaitingForTheReadFailWhenTheCoupleUnloads() {
        startActor();
        CompletableFuture<ReadState> state = actor.readState(ANN);
        assertThat(state).isNotDone();
        actor.close("test");
        assertThat(state).isCompletedExceptionally();
    }
}
