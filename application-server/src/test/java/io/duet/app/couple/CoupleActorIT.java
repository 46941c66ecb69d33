package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.StoreMeters;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.MissingRange;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Put;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Couple actors against real HBase: group commit, deduplication across reloads, fencing, and catch-up
 * (paced by credit, past committed messages HBase lost).
 */
class CoupleActorIT {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final AtomicLong COUPLES = new AtomicLong(5000);
    private static CoupleStore store;
    /** The store's meters: which HBase operations a test made. */
    private static final SimpleMeterRegistry STORE_METRICS = new SimpleMeterRegistry();
    private static AsyncTable<?> couples;
    private static int shards;
    private static HBaseSchema schema;
    private static ExecutorService workers;
    private static ScheduledExecutorService timers;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshPreSplitSchema(4);
        store = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().meters(new StoreMeters(STORE_METRICS)).build());
        couples = StorageCluster.connection().getTable(schema.couples());
        shards = schema.shardCount();
        workers = Executors.newFixedThreadPool(4);
        timers = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopThreads() {
        workers.shutdownNow();
        timers.shutdownNow();
    }

    private static long newCouple() throws Exception {
        long id = COUPLES.incrementAndGet();
        store.create(id, ANN, BOB, 0).get(30, TimeUnit.SECONDS);
        return id;
    }

    private static CoupleActor actor(long coupleId, long epoch) {
        return actor(coupleId, epoch, CoupleLimits.defaults());
    }

    private static CoupleActor actor(long coupleId, long epoch, CoupleLimits limits) {
        return actor(coupleId, epoch, limits, new CatchUpReads(CatchUpLimits.defaults(), timers));
    }

    private static CoupleActor actor(long coupleId, long epoch, CoupleLimits limits, CatchUpReads catchUpReads) {
        return actor(coupleId, epoch, limits, catchUpReads, () -> true);
    }

    private static CoupleActor actor(long coupleId, long epoch, CoupleLimits limits, CatchUpReads catchUpReads,
            BooleanSupplier owned) {
        CoupleActor actor = new CoupleActor(coupleId, 0, epoch, new SerialExecutor(workers, "couple-" + coupleId),
                CoupleServices.builder(store, limits, catchUpReads, timers).build(), owned, retired -> { });
        actor.start();
        return actor;
    }

    private static long findSendCalls() {
        return STORE_METRICS.find(StoreMeters.CALLS).tag("op", "find-send").timers().stream()
                .mapToLong(Timer::count).sum();
    }

    private static SendMessageRequest message(String id, int attempt) {
        return new SendMessageRequest(id, "text of " + id, attempt);
    }

    /** The {@code ordinal}-th send of an order stream, to be stored after {@code after}. */
    private static SendMessageRequest ordered(String stream, long ordinal, long after) {
        return message(stream + "#" + ordinal, 1).setOrderStream(stream).setOrdinal(ordinal).setAfterOrdinal(after);
    }

    private static ErrorCode errorOf(CompletableFuture<?> call) {
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> call.get(30, TimeUnit.SECONDS));
        assertThat(failure).as("the call should have failed").isNotNull();
        return ApiErrors.toWire(failure.getCause()).getCode();
    }

    @Test
    void aSendThatOvertakesItsPredecessorWaitsForIt() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        // 3 and 4 reach the couple before 2 (a retry racing an older send): they wait, then follow it.
        CompletableFuture<SendMessageResult> fourth = actor.send(ANN, "phone", ordered("s", 4, 3));
        CompletableFuture<SendMessageResult> third = actor.send(ANN, "phone", ordered("s", 3, 2));
        Thread.sleep(200);
        assertThat(third).isNotDone();
        assertThat(fourth).isNotDone();
        long second = actor.send(ANN, "phone", ordered("s", 2, 1)).get(30, TimeUnit.SECONDS).getSeq();
        assertThat(third.get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(second + 1);
        assertThat(fourth.get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(second + 2);
    }

    @Test
    void aHeldSendWhoseRetryNamesAnEarlierPredecessorGoesAtOnce() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        long first = actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS).getSeq();
        CompletableFuture<SendMessageResult> third = actor.send(ANN, "phone", ordered("s", 3, 2));
        Thread.sleep(200);
        assertThat(third).isNotDone();
        // 2 failed for good on the client, which now asks for 3 to follow 1.
        long started = System.nanoTime();
        SendMessageResult retried = actor.send(ANN, "phone", ordered("s", 3, 1).setAttempt(2)).get(30, TimeUnit.SECONDS);
        assertThat(retried.getSeq()).isEqualTo(first + 1);
        assertThat(third.get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(first + 1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not after the order wait")
                .isLessThan(CoupleLimits.DEFAULT_ORDER_WAIT);
    }

    @Test
    void aSendWhosePlaceWasTakenFailsRatherThanBeingStoredOutOfOrder() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        actor.send(ANN, "phone", ordered("s", 3, 1)).get(30, TimeUnit.SECONDS);
        // Message 2, which the client said it had given up on (3 came after 1), turns up late.
        assertThat(errorOf(actor.send(ANN, "phone", ordered("s", 2, 1)))).isEqualTo(ErrorCode.OUT_OF_ORDER);
        // A different message claiming an ordinal already used is refused too.
        assertThat(errorOf(actor.send(ANN, "phone", message("impostor", 1).setOrderStream("s").setOrdinal(3)
                .setAfterOrdinal(1)))).isEqualTo(ErrorCode.OUT_OF_ORDER);
        // The true retry of 3 is a duplicate, not an error.
        assertThat(actor.send(ANN, "phone", ordered("s", 3, 1)).get(30, TimeUnit.SECONDS).isDuplicate()).isTrue();
    }

    @Test
    void aSendWhosePredecessorNeverComesFailsWithUnavailableAfterTheOrderWait() throws Exception {
        CoupleActor actor = actor(newCouple(), 1, CoupleLimits.builder().orderWait(Duration.ofMillis(300)).build());
        actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        assertThat(errorOf(actor.send(ANN, "phone", ordered("s", 5, 4)))).isEqualTo(ErrorCode.UNAVAILABLE);
        // A stream nothing is known of (new, or forgotten after the dedup window) goes on from its first
        // send once the wait is over: the predecessor it names will not come.
        assertThat(actor.send(ANN, "phone", ordered("idle-for-weeks", 58, 57)).get(30, TimeUnit.SECONDS).getSeq())
                .isEqualTo(2);
        assertThat(errorOf(actor.send(ANN, "phone", message("bad", 1).setOrderStream("s").setOrdinal(2)
                .setAfterOrdinal(2)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aNewOwnerContinuesEveryOrderStreamAndFindsRetriesWithTheFirstAttemptNumber() throws Exception {
        long coupleId = newCouple();
        CoupleActor old = actor(coupleId, 1);
        long first = old.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS).getSeq();
        old.send(ANN, "phone", ordered("s", 2, 1)).get(30, TimeUnit.SECONDS);
        for (int i = 0; i < 300; i++) {
            old.send(BOB, "phone", message("filler" + i, 1)).get(30, TimeUnit.SECONDS);
        }

        CoupleActor successor = actor(coupleId, 2);
        // A resend of message 1 marked as a first attempt: found in HBase, not stored again.
        SendMessageResult again = successor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        assertThat(again.getSeq()).isEqualTo(first);
        assertThat(again.isDuplicate()).isTrue();
        // The stream goes on from 2 without waiting for anything.
        assertThat(successor.send(ANN, "phone", ordered("s", 3, 2)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(303);
    }

    @Test
    void sendsRefusedWhileTheServerCannotWriteCanBeSentAgainInOrder() throws Exception {
        long coupleId = newCouple();
        // Serving is allowed when the sends arrive, but no longer when their batch is formed.
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        CoupleActor actor = actor(coupleId, 1, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.defaults(), timers), () -> checks.incrementAndGet() != 2);
        assertThat(errorOf(actor.send(ANN, "phone", ordered("s", 1, 0)))).isEqualTo(ErrorCode.UNAVAILABLE);
        // The client sends it again, with its successor: both are stored, in order.
        CompletableFuture<SendMessageResult> second = actor.send(ANN, "phone", ordered("s", 2, 1));
        SendMessageResult first = actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        assertThat(second.get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(first.getSeq() + 1);
    }

    @Test
    void aCoupleThisServerCannotVouchForRefusesReadsAsWellAsWrites() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean owned = new java.util.concurrent.atomic.AtomicBoolean(true);
        CoupleActor actor = actor(newCouple(), 1, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.defaults(), timers), owned::get);
        actor.send(ANN, "phone", message("before", 1)).get(30, TimeUnit.SECONDS);
        assertThat(actor.history(BOB, 0, null, 10).get(30, TimeUnit.SECONDS).getMessages()).hasSize(1);

        owned.set(false); // a lapsed lease, a suspended ZooKeeper session, a map that moved the shard
        assertThat(errorOf(actor.history(BOB, 0, null, 10))).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(errorOf(actor.send(ANN, "phone", message("after", 1)))).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void theSameClientMessageIdFromBothPartnersMakesTwoMessages() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        SendMessageResult anns = actor.send(ANN, "phone", message("same-id", 1)).get(30, TimeUnit.SECONDS);
        SendMessageResult bobs = actor.send(BOB, "phone", message("same-id", 1)).get(30, TimeUnit.SECONDS);
        assertThat(bobs.getSeq()).isNotEqualTo(anns.getSeq());
        assertThat(bobs.isDuplicate()).isFalse();
    }

    @Test
    void concurrentSendsGetConsecutiveSequenceNumbersInArrivalOrder() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        List<CompletableFuture<SendMessageResult>> sends = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sends.add(actor.send(i % 2 == 0 ? ANN : BOB, "phone", message("m" + i, 1)));
        }
        for (int i = 0; i < 500; i++) {
            SendMessageResult result = sends.get(i).get(30, TimeUnit.SECONDS);
            assertThat(result.getSeq()).isEqualTo(i + 1);
            assertThat(result.isDuplicate()).isFalse();
        }
    }

    @Test
    void aRetryOfASendOlderThanTheIdsInMemoryIsFoundInHBaseAndNotStoredAgain() throws Exception {
        long coupleId = newCouple();
        CoupleActor actor = actor(coupleId, 1, CoupleLimits.builder().dedupIds(4).recentMessages(4).build());
        long first = actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS).getSeq();
        long unordered = actor.send(ANN, "phone", message("plain", 1)).get(30, TimeUnit.SECONDS).getSeq();
        for (int ordinal = 2; ordinal <= 10; ordinal++) {
            actor.send(ANN, "phone", ordered("s", ordinal, ordinal - 1)).get(30, TimeUnit.SECONDS);
        }

        // Both ids left memory with the 9 sends after them; the row's dedup entries still name them.
        long lookUpsBefore = findSendCalls();
        SendMessageResult again = actor.send(ANN, "phone", ordered("s", 1, 0)).get(30, TimeUnit.SECONDS);
        assertThat(again.isDuplicate()).isTrue();
        assertThat(again.getSeq()).isEqualTo(first);
        SendMessageResult plainAgain = actor.send(ANN, "phone", message("plain", 2)).get(30, TimeUnit.SECONDS);
        assertThat(plainAgain.isDuplicate()).isTrue();
        assertThat(plainAgain.getSeq()).isEqualTo(unordered);
        assertThat(findSendCalls() - lookUpsBefore).as("dedup look-ups in HBase").isEqualTo(2);
        assertThat(actor.send(ANN, "phone", ordered("s", 11, 10)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(12);
    }

    @Test
    void aRetryIsStoredOnceEvenAfterTheCoupleWasReloadedAndTheMessageLeftMemory() throws Exception {
        long coupleId = newCouple();
        CoupleActor first = actor(coupleId, 1);
        long original = first.send(ANN, "phone", message("keep-me", 1)).get(30, TimeUnit.SECONDS).getSeq();
        List<CompletableFuture<SendMessageResult>> later = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            later.add(first.send(BOB, "phone", message("later" + i, 1)));
        }
        CompletableFuture.allOf(later.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        first.close("test");

        CoupleActor reloaded = actor(coupleId, 1);
        SendMessageResult retry = reloaded.send(ANN, "phone", message("keep-me", 2)).get(30, TimeUnit.SECONDS);
        assertThat(retry.getSeq()).isEqualTo(original);
        assertThat(retry.isDuplicate()).isTrue();
        assertThat(reloaded.send(ANN, "phone", message("fresh", 1)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(302);
    }

    @Test
    void aDeposedOwnerCannotStoreAndItsSendsAreToldToRetryElsewhere() throws Exception {
        long coupleId = newCouple();
        CoupleActor old = actor(coupleId, 1);
        old.send(ANN, "phone", message("before", 1)).get(30, TimeUnit.SECONDS);
        CoupleActor successor = actor(coupleId, 2);
        successor.send(BOB, "phone", message("by the successor", 1)).get(30, TimeUnit.SECONDS);

        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> old.send(ANN, "phone", message("too late", 1)).get(30, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(NotOwnerException.class);
        assertThat(successor.send(ANN, "phone", message("after", 1)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(3);
    }

    @Test
    void readMarksSurviveAHandoffAndADeposedOwnerCannotMoveThem() throws Exception {
        long coupleId = newCouple();
        CoupleActor old = actor(coupleId, 1);
        sendMany(old, 10);
        assertThat(old.markRead(ANN, 6).get(30, TimeUnit.SECONDS).getReadUpTo()).isEqualTo(6);
        assertThat(old.markRead(BOB, 3).get(30, TimeUnit.SECONDS).getReadUpTo()).isEqualTo(3);

        CoupleActor successor = actor(coupleId, 2);
        ReadState ann = successor.readState(ANN).get(30, TimeUnit.SECONDS);
        assertThat(ann.getReadUpTo()).isEqualTo(6);
        assertThat(ann.getPartnerReadUpTo()).isEqualTo(3);
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> old.markRead(ANN, 9).get(30, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(NotOwnerException.class);
        assertThat(successor.markRead(BOB, 2).get(30, TimeUnit.SECONDS).getReadUpTo()).isEqualTo(3);
        assertThat(successor.markRead(ANN, 7).get(30, TimeUnit.SECONDS).getReadUpTo()).isEqualTo(7);
        successor.close("test");
        assertThat(actor(coupleId, 3).readState(BOB).get(30, TimeUnit.SECONDS).getPartnerReadUpTo()).isEqualTo(7);
    }

    @Test
    void editsAndDeletesAreTheSendersAreFencedKeepUnknownFieldsAndSurviveAHandoff() throws Exception {
        long coupleId = newCouple();
        CoupleActor old = actor(coupleId, 1);
        old.send(ANN, "phone", message("a1", 1)).get(30, TimeUnit.SECONDS);
        old.send(ANN, "phone", message("a2", 1)).get(30, TimeUnit.SECONDS);
        old.send(BOB, "phone", message("b3", 1)).get(30, TimeUnit.SECONDS);
        // Message 1 as a newer release stored it: with a field this one does not know.
        byte[] row = HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId);
        byte[] newer = withUnknownField(store.readStoredMessage(coupleId, 1).get(30, TimeUnit.SECONDS));
        couples.put(new Put(row).addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(1), newer))
                .get(30, TimeUnit.SECONDS);

        Message edited = old.editMessage(ANN, 1, "edited", 0L).get(30, TimeUnit.SECONDS);
        assertThat(edited.getText()).isEqualTo("edited");
        assertThat(edited.getVersion()).isEqualTo(1);
        assertThat(edited.isSetEditedAtMillis()).isTrue();
        assertThat(new String(store.readStoredMessage(coupleId, 1).get(30, TimeUnit.SECONDS), StandardCharsets.ISO_8859_1))
                .as("the newer release's field survives the edit").contains(NEWER_FIELD_VALUE);
        assertThat(conflictOf(old.editMessage(ANN, 1, "stale", 0L)).getCurrent()).isEqualTo(edited);
        assertThat(errorOf(old.editMessage(BOB, 1, "not mine", null))).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(errorOf(old.deleteMessage(ANN, 3, null))).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(errorOf(old.editMessage(ANN, 4, "no such", null))).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(errorOf(old.deleteMessage(ANN, 0, null))).isEqualTo(ErrorCode.NOT_FOUND);

        Message tombstone = old.deleteMessage(ANN, 2, null).get(30, TimeUnit.SECONDS);
        assertThat(tombstone.isDeleted()).isTrue();
        assertThat(tombstone.isSetText()).isFalse();
        assertThat(old.deleteMessage(ANN, 2, 0L).get(30, TimeUnit.SECONDS)).as("deleting again changes nothing")
                .isEqualTo(tombstone);
        assertThat(errorOf(old.editMessage(ANN, 2, "back", null))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        List<Message> history = old.history(BOB, 0, null, 10).get(30, TimeUnit.SECONDS).getMessages();
        assertThat(history).hasSize(3);
        assertThat(history.subList(0, 2)).containsExactly(edited, tombstone);
        assertThat(old.readState(BOB).get(30, TimeUnit.SECONDS).getUnreadCount()).as("a tombstone is not unread")
                .isEqualTo(1);

        // A new owner reads the changed messages back; the deposed one can no longer change any.
        CoupleActor successor = actor(coupleId, 2);
        assertThat(successor.history(ANN, 0, null, 2).get(30, TimeUnit.SECONDS).getMessages()).containsExactly(edited, tombstone);
        ExecutionException fenced = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> old.editMessage(ANN, 1, "too late", null).get(30, TimeUnit.SECONDS));
        assertThat(fenced.getCause()).isInstanceOf(NotOwnerException.class);
        assertThat(successor.editMessage(ANN, 1, "by the successor", 1L).get(30, TimeUnit.SECONDS).getVersion()).isEqualTo(2);
        // The change numbers go on from the deposed owner's (edit 1, delete 2): a device that was away with
        // messages up to 3 and change 1 is replayed the delete (2) and the successor's edit (3), each once.
        RecordingSession away = new RecordingSession(BOB);
        successor.attach(away).get(30, TimeUnit.SECONDS);
        assertThat(successor.subscribe(away, 3, false, 1L).get(30, TimeUnit.SECONDS).getLatestChange()).isEqualTo(3);
        assertThat(away.changes()).containsExactly("change 2 of 2", "change 3 of 1");
        successor.close("test");
        assertThat(actor(coupleId, 3).history(BOB, 0, null, 1).get(30, TimeUnit.SECONDS).getMessages().get(0).getText())
                .isEqualTo("by the successor");
    }

    @Test
    void sessionsHearOfChangesToMessagesTheyHaveAndGetTheNewStateOfTheOnesTheyHaveNot() throws Exception {
        CoupleActor actor = actor(newCouple(), 1, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.builder().pageMessages(50).build(), timers));
        sendMany(actor, 600); // ANN's messages have odd sequence numbers
        RecordingSession bob = new RecordingSession(BOB, 600);
        actor.attach(bob).get(30, TimeUnit.SECONDS);
        actor.subscribe(bob, 0, false, null).get(30, TimeUnit.SECONDS);
        await("the first events", () -> bob.events.size() > 0);
        Thread.sleep(200);
        assertThat(bob.seqs()).as("caught up only part of the first page").isNotEmpty().allMatch(seq -> seq < 41);

        actor.deleteMessage(ANN, 1, null).get(30, TimeUnit.SECONDS); // delivered
        actor.editMessage(ANN, 41, "edited 41", null).get(30, TimeUnit.SECONDS); // in the page being replayed
        actor.deleteMessage(ANN, 301, null).get(30, TimeUnit.SECONDS); // in HBase, not read yet
        actor.editMessage(ANN, 599, "edited 599", null).get(30, TimeUnit.SECONDS); // in memory
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bob.events.size() < 601 && System.nanoTime() < deadline) { // 600 messages and 1 change
            bob.grant(2_000);
            Thread.sleep(2);
        }

        Map<Long, Message> received = new HashMap<>();
        List<Message> changes = new ArrayList<>();
        for (Event event : bob.decoded()) {
            if (event.isSetMessage()) {
                received.put(event.getMessage().getMessage().getSeq(), event.getMessage().getMessage());
            } else if (event.isSetMessageChanged()) {
                changes.add(event.getMessageChanged().getMessage());
            }
        }
        assertThat(received).hasSize(600);
        assertThat(received.get(1L).isDeleted()).as("sent before the delete").isFalse();
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).getSeq()).isEqualTo(1);
        assertThat(changes.get(0).isDeleted()).isTrue();
        assertThat(received.get(41L).getText()).isEqualTo("edited 41");
        assertThat(received.get(301L).isDeleted()).isTrue();
        assertThat(received.get(599L).getText()).isEqualTo("edited 599");
    }

    private static final String NEWER_FIELD_VALUE = "a field of a newer release";

    /** {@code stored} with a string field (id 100) this release does not declare, as a newer one might write it. */
    private static byte[] withUnknownField(byte[] stored) throws Exception {
        TMemoryBuffer buffer = new TMemoryBuffer(64);
        TCompactProtocol out = new TCompactProtocol(buffer);
        out.writeStructBegin(new TStruct("StoredMessage"));
        out.writeFieldBegin(new TField("newer", TType.STRING, (short) 100));
        out.writeString(NEWER_FIELD_VALUE);
        out.writeFieldEnd();
        out.writeFieldStop();
        out.writeStructEnd();
        byte[] field = java.util.Arrays.copyOf(buffer.getArray(), buffer.length());
        // The stored struct without its stop byte, then the field and a stop.
        byte[] newer = java.util.Arrays.copyOf(stored, stored.length - 1 + field.length);
        System.arraycopy(field, 0, newer, stored.length - 1, field.length);
        return newer;
    }

    private static MessageConflict conflictOf(CompletableFuture<?> call) {
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> call.get(30, TimeUnit.SECONDS));
        assertThat(failure).as("the call should have failed").isNotNull();
        assertThat(failure.getCause()).isInstanceOf(MessageConflict.class);
        return (MessageConflict) failure.getCause();
    }

    @Test
    void historyPagesBackwardsAcrossTheMessagesInMemoryAndInHBase() throws Exception {
        CoupleActor actor = actor(newCouple(), 1, CoupleLimits.builder().recentMessages(5).build());
        sendMany(actor, 12);
        List<List<Long>> pages = new ArrayList<>();
        long before = Long.MAX_VALUE;
        HistoryPage page;
        do {
            page = actor.history(ANN, 0, before, 4).get(30, TimeUnit.SECONDS);
            pages.add(page.getMessages().stream().map(Message::getSeq).collect(Collectors.toList()));
            before = page.getNextCursor();
        } while (page.isHasMore());
        assertThat(pages).containsExactly(List.of(9L, 10L, 11L, 12L), List.of(5L, 6L, 7L, 8L), List.of(1L, 2L, 3L, 4L));
        // Forwards across the same boundary: one page from HBase and memory together.
        assertThat(actor.history(ANN, 5, null, 6).get(30, TimeUnit.SECONDS).getMessages()).extracting(Message::getSeq)
                .containsExactly(6L, 7L, 8L, 9L, 10L, 11L);
        // An unread count read partly from HBase: the 6 of ANN's messages, all after BOB's mark.
        assertThat(actor.readState(BOB).get(30, TimeUnit.SECONDS).getUnreadCount()).isEqualTo(6);
    }

    @Test
    void outsidersCanNeitherSendNorAttach() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> actor.send(99, "phone", message("intruder", 1)).get(30, TimeUnit.SECONDS));
        assertThat(((DuetError) failure.getCause()).getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aSubscribedSessionGetsTheMissedMessagesThenLiveOnesInOrder() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        for (int i = 0; i < 5; i++) {
            actor.send(ANN, "phone", message("old" + i, 1)).get(30, TimeUnit.SECONDS);
        }
        RecordingSession bob = new RecordingSession(BOB);
        actor.attach(bob).get(30, TimeUnit.SECONDS);
        assertThat(actor.subscribe(bob, 2, false, null).get(30, TimeUnit.SECONDS).getLatestSeq()).isEqualTo(5);
        actor.send(ANN, "phone", message("live", 1)).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bob.seqs().size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(bob.seqs()).containsExactly(3L, 4L, 5L, 6L);
    }

    private static void sendMany(CoupleActor actor, int count) throws Exception {
        List<CompletableFuture<SendMessageResult>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(actor.send(i % 2 == 0 ? ANN : BOB, "phone", message("m" + i, 1)));
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aReplayGoesOnlyAsFastAsTheSessionGivesCreditAndLiveMessagesFollowIt() throws Exception {
        CoupleActor actor = actor(newCouple(), 1, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.builder().pageMessages(50).build(), timers));
        sendMany(actor, 600);
        RecordingSession bob = new RecordingSession(BOB, 2_000);
        actor.attach(bob).get(30, TimeUnit.SECONDS);
        actor.subscribe(bob, 0, false, null).get(30, TimeUnit.SECONDS);
        await("the first events", () -> bob.events.size() > 0);
        Thread.sleep(200);
        int sentOnCredit = bob.events.size();
        assertThat(sentOnCredit).as("stops once the credit is spent").isBetween(1, 100);

        while (bob.events.size() < 600) {
            bob.grant(2_000);
            Thread.sleep(2);
        }
        actor.send(ANN, "phone", message("live", 1)).get(30, TimeUnit.SECONDS);
        await("the live message", () -> bob.events.size() == 601);
        assertThat(bob.seqs()).isEqualTo(LongStream.rangeClosed(1, 601).boxed().collect(Collectors.toList()));
    }

    @Test
    void committedRangesMissingInHBaseAreReportedCountedAndSkippedNotWaitedFor() throws Exception {
        long coupleId = newCouple();
        CoupleActor first = actor(coupleId, 1);
        sendMany(first, 400);
        first.close("test");
        byte[] row = HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId);
        Delete delete = new Delete(row);
        LongStream.concat(LongStream.rangeClosed(10, 19), LongStream.rangeClosed(101, 160))
                .forEach(seq -> delete.addColumns(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq)));
        couples.delete(delete).get(30, TimeUnit.SECONDS);

        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.builder().pageMessages(50).build(), timers);
        CoupleActor reloaded = actor(coupleId, 2, CoupleLimits.defaults(), catchUpReads);
        RecordingSession bob = new RecordingSession(BOB, Long.MAX_VALUE);
        reloaded.attach(bob).get(30, TimeUnit.SECONDS);
        reloaded.subscribe(bob, 0, false, null).get(30, TimeUnit.SECONDS);
        await("every message left", () -> bob.seqs().size() == 400 - 70);

        List<String> received = bob.described();
        assertThat(received.subList(8, 11)).containsExactly("message 9", "missing 10..19", "message 20");
        assertThat(received.subList(90, 93)).containsExactly("message 100", "missing 101..160", "message 161");
        assertThat(received).hasSize(400 - 70 + 2).last().isEqualTo("message 400");
        assertThat(catchUpReads.missingRanges()).isEqualTo(2);
        assertThat(catchUpReads.missingMessages()).isEqualTo(70);
    }

    /** A couple of 400 messages, reloaded at epoch 2 after HBase lost messages {@code from} to {@code to}. */
    private static CoupleActor reloadedWithout(long coupleId, long from, long to, CatchUpReads catchUpReads)
            throws Exception {
        CoupleActor first = actor(coupleId, 1);
        sendMany(first, 400);
        first.close("test");
        Delete delete = new Delete(HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId));
        LongStream.rangeClosed(from, to)
                .forEach(seq -> delete.addColumns(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq)));
        couples.delete(delete).get(30, TimeUnit.SECONDS);
        return actor(coupleId, 2, CoupleLimits.defaults(), catchUpReads);
    }

    @Test
    void newestMessagesLostInHBaseAreReportedOnceAndTheSessionGoesLive() throws Exception {
        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.builder().pageMessages(50).build(), timers);
        CoupleActor reloaded = reloadedWithout(newCouple(), 395, 400, catchUpReads);
        RecordingSession bob = new RecordingSession(BOB, Long.MAX_VALUE);
        reloaded.attach(bob).get(30, TimeUnit.SECONDS);
        assertThat(reloaded.subscribe(bob, 0, false, null).get(30, TimeUnit.SECONDS).getLatestSeq()).isEqualTo(400);
        await("every message left", () -> bob.described().size() == 394 + 1);

        // The couple's worker is free (a replay stuck on the hole would hold it): live messages follow.
        assertThat(reloaded.send(ANN, "phone", message("after-the-hole", 1)).get(30, TimeUnit.SECONDS).getSeq())
                .isEqualTo(401);
        await("the live message", () -> bob.described().size() == 394 + 2);
        List<String> received = bob.described();
        assertThat(received.subList(392, 396)).containsExactly("message 393", "message 394", "missing 395..400",
                "message 401");
        assertThat(catchUpReads.missingRanges()).isEqualTo(1);
        assertThat(catchUpReads.missingMessages()).isEqualTo(6);

        // A session resuming inside the hole is told too, and not looped.
        RecordingSession bobTablet = new RecordingSession(BOB, Long.MAX_VALUE);
        reloaded.attach(bobTablet).get(30, TimeUnit.SECONDS);
        reloaded.subscribe(bobTablet, 397, false, null).get(30, TimeUnit.SECONDS);
        await("the tablet's catch-up", () -> bobTablet.described().size() == 2);
        assertThat(bobTablet.described()).containsExactly("missing 398..400", "message 401");
        HistoryPage newest = reloaded.history(ANN, 0, Long.MAX_VALUE, 10).get(30, TimeUnit.SECONDS);
        assertThat(newest.getMessages()).extracting(Message::getSeq).containsExactly(392L, 393L, 394L, 401L);
        assertThat(newest.getMissing()).containsExactly(new MissingRange(395, 400));
    }

    @Test
    void messagesLostInsideTheWindowAreReportedByCatchUpAndByHistory() throws Exception {
        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.builder().pageMessages(50).build(), timers);
        // The couple keeps its newest 256 (145 to 400) in memory: the hole is inside that window.
        CoupleActor reloaded = reloadedWithout(newCouple(), 200, 205, catchUpReads);
        RecordingSession bob = new RecordingSession(BOB, Long.MAX_VALUE);
        reloaded.attach(bob).get(30, TimeUnit.SECONDS);
        reloaded.subscribe(bob, 150, false, null).get(30, TimeUnit.SECONDS);
        await("every message left", () -> bob.described().size() == 250 - 6 + 1);
        List<String> received = bob.described();
        assertThat(received.subList(48, 51)).containsExactly("message 199", "missing 200..205", "message 206");
        assertThat(received.get(received.size() - 1)).isEqualTo("message 400");
        assertThat(catchUpReads.missingRanges()).isEqualTo(1);

        HistoryPage page = reloaded.history(ANN, 190, null, 20).get(30, TimeUnit.SECONDS);
        assertThat(page.getMessages()).extracting(Message::getSeq).containsExactlyElementsOf(LongStream.rangeClosed(191, 210)
                .filter(seq -> seq < 200 || seq > 205).boxed().collect(Collectors.toList()));
        assertThat(page.getMissing()).containsExactly(new MissingRange(200, 205));
        assertThat(page.getNextCursor()).isEqualTo(210);
        assertThat(catchUpReads.missingRanges()).isEqualTo(2);
        assertThat(catchUpReads.missingMessages()).isEqualTo(12);
        HistoryPage whole = reloaded.history(ANN, 0, null, 100).get(30, TimeUnit.SECONDS);
        assertThat(whole.getMessages()).hasSize(100);
        assertThat(whole.isSetMissing()).isFalse();
    }

    @Test
    void aRetryOfAMessageStorageLostFailsOnceWithAClearErrorInsteadOfRetryingForever() throws Exception {
        long coupleId = newCouple();
        CoupleActor first = actor(coupleId, 1);
        long seq = first.send(ANN, "phone", message("lost-one", 1)).get(30, TimeUnit.SECONDS).getSeq();
        sendMany(first, 300);
        first.close("test");
        byte[] row = HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId);
        couples.delete(new Delete(row).addColumns(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq)))
                .get(30, TimeUnit.SECONDS);

        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.builder().build(), timers);
        CoupleActor reloaded = actor(coupleId, 2, CoupleLimits.defaults(), catchUpReads);
        CompletableFuture<SendMessageResult> retry = reloaded.send(ANN, "phone", message("lost-one", 2));
        assertThat(errorOf(retry)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(catchUpReads.missingRanges()).isEqualTo(1);
        // The sender may send it anew under a new id; the couple goes on.
        assertThat(reloaded.send(ANN, "phone", message("lost-one-again", 1)).get(30, TimeUnit.SECONDS).getSeq())
                .isEqualTo(seq + 301);
    }

    @Test
    void theWarmUpRunsItsOwnCoupleAndLeavesNoRowBehind() throws Exception {
        // One group commit in flight at a time, so that the couples' commits wait together and share groups:
        // with two, a fast HBase may take each commit alone, and which share a group is up to timing.
        CoupleStore oneGroupAtATime = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().commitRequestsInFlight(1).build());
        CoupleWarmUp warmUp = new CoupleWarmUp(CoupleServices.builder(oneGroupAtATime, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.defaults(), timers), timers).build(), workers);
        long committedBefore = store.messagesCommitted() + oneGroupAtATime.messagesCommitted();
        for (String instance : List.of("app-test@1", "app-test@2")) {
            long[] coupleIds = CoupleWarmUp.coupleIdsFor(instance, shards);
            assertThat(java.util.Arrays.stream(coupleIds).max().getAsLong()).as("never a real couple's id").isNegative();
            assertThat(coupleIds).doesNotHaveDuplicates()
                    .startsWith(CoupleWarmUp.coupleIdFor(instance)).hasSize(CoupleWarmUp.COUPLES);
            assertThat(Shards.shardOf(coupleIds[1], shards)).as("in the first one's shard")
                    .isEqualTo(Shards.shardOf(coupleIds[0], shards));
            warmUp.run(instance, 40, 30_000, null, actor -> { });
            for (long coupleId : coupleIds) {
                assertThat(store.members(coupleId).get(30, TimeUnit.SECONDS)).isEmpty();
            }
        }
        assertThat(store.messagesCommitted() + oneGroupAtATime.messagesCommitted()).as("users' messages committed")
                .isEqualTo(committedBefore);
        assertThat(oneGroupAtATime.atomicRegionShares()).as("group commits with two couples' commits in one region")
                .isPositive();
    }

    /**
     * The warm-up's calls find its couple through what {@code serving} was given (the registry serves it
     * meanwhile), and only while they run; a failed call fails the warm-up, and the row is still deleted.
     */
    @Test
    void theWarmUpServesItsCoupleOnlyWhileItsCallsRun() throws Exception {
        CoupleWarmUp warmUp = new CoupleWarmUp(CoupleServices.builder(store, CoupleLimits.defaults(),
                new CatchUpReads(CatchUpLimits.defaults(), timers), timers).build(), workers);
        List<CoupleActor> served = new CopyOnWriteArrayList<>();
        List<Long> seqs = new CopyOnWriteArrayList<>();
        warmUp.run("app-test@3", 10, 30_000, (coupleId, memberA, memberB, timeoutMillis) -> {
            CoupleActor actor = served.get(0);
            assertThat(actor.coupleId()).isEqualTo(coupleId).isEqualTo(CoupleWarmUp.coupleIdFor("app-test@3"));
            seqs.add(actor.send(memberA, "relay", message("over-the-relay", 1)).get(timeoutMillis, TimeUnit.MILLISECONDS)
                    .getSeq());
        }, served::add);
        assertThat(served).hasSize(2).last().as("no longer served once the calls ended").isNull();
        assertThat(seqs).as("after the direct loads' 3 x 10 sends").singleElement().isEqualTo(31L);

        long coupleId = CoupleWarmUp.coupleIdFor("app-test@4");
        assertThatThrownBy(() -> warmUp.run("app-test@4", 10, 30_000, (couple, a, b, timeoutMillis) -> {
            throw new java.io.IOException("no relay link");
        }, actor -> { })).isInstanceOf(java.io.IOException.class);
        assertThat(store.members(coupleId).get(30, TimeUnit.SECONDS)).as("deleted all the same").isEmpty();
    }

    /**
     * A session that records the events pushed to it. It has {@code credit} bytes to spend on events,
     * and {@link #grant} gives more, as a presentation server would.
     */
    private static final class RecordingSession extends AcceptingSession {
        private final List<byte[]> events = new CopyOnWriteArrayList<>();
        private long credit;
        private Runnable waiting;

        RecordingSession(long userId) {
            this(userId, Long.MAX_VALUE);
        }

        RecordingSession(long userId, long credit) {
            super(userId, "phone");
            this.credit = credit;
        }

        List<Long> seqs() {
            List<Long> seqs = new ArrayList<>();
            for (Event event : decoded()) {
                if (event.isSetMessage()) {
                    seqs.add(event.getMessage().getMessage().getSeq());
                }
            }
            return seqs;
        }

        /** "change C of N" for each MessageChangedEvent, in the order pushed. */
        List<String> changes() {
            List<String> changes = new ArrayList<>();
            for (Event event : decoded()) {
                if (event.isSetMessageChanged()) {
                    changes.add("change " + event.getMessageChanged().getChange() + " of "
                            + event.getMessageChanged().getMessage().getSeq());
                }
            }
            return changes;
        }

        /** "message N" and "missing A..B", in the order pushed. */
        List<String> described() {
            List<String> described = new ArrayList<>();
            for (Event event : decoded()) {
                if (event.isSetMessage()) {
                    described.add("message " + event.getMessage().getMessage().getSeq());
                } else if (event.isSetMessagesMissing()) {
                    described.add("missing " + event.getMessagesMissing().getFromSeq() + ".."
                            + event.getMessagesMissing().getToSeq());
                }
            }
            return described;
        }

        private List<Event> decoded() {
            List<Event> decoded = new ArrayList<>();
            for (byte[] bytes : events) {
                try {
                    decoded.add(ThriftCodec.INTERNAL.decode(bytes, new Event()));
                } catch (MalformedPayloadException e) {
                    throw new AssertionError(e);
                }
            }
            return decoded;
        }

        void grant(long bytes) {
            Runnable resume;
            synchronized (this) {
                credit += bytes;
                resume = credit > 0 ? waiting : null;
                if (resume != null) {
                    waiting = null;
                }
            }
            if (resume != null) {
                resume.run();
            }
        }

        @Override
        public synchronized boolean canReplay() {
            return credit > 0;
        }

        @Override
        public void whenReplayable(Runnable task) {
            synchronized (this) {
                if (credit <= 0) {
                    waiting = task;
                    return;
                }
            }
            task.run();
        }

        @Override
        public void pushEvent(byte[] event) {
            synchronized (this) {
                credit -= event.length;
            }
            events.add(event);
        }
    }
}
