package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.storage.PushTokens;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.storage.StoredPushToken;
import io.duet.protocol.thrift.ThriftCodec;
import io.github.bucket4j.TimeMeter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Pushes} with tokens in memory and recording senders: what reaches which device, what the gate
 * holds back, a dead token dropped, a full queue, and the checks of a registration.
 */
class PushesTest {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final long COUPLE = 9;

    private final MemoryTokens tokens = new MemoryTokens();
    private final RecordingSender apns = new RecordingSender();
    private final RecordingSender fcm = new RecordingSender();
    private Pushes pushes;

    @AfterEach
    void close() {
        if (pushes != null) {
            pushes.close();
        }
    }

    private Pushes pushes(PushSettings settings, Map<PushPlatform, PushSender> senders) {
        pushes = new Pushes(settings, tokens, senders, Clock.systemUTC(), TimeMeter.SYSTEM_NANOTIME);
        return pushes;
    }

    private static PushSettings.Builder settings() {
        return PushSettings.builder().coalesceWindow(Duration.ZERO).workers(1);
    }

    private static Message message(long seq, String text) {
        return new Message().setSeq(seq).setSenderId(ANN).setKind(MessageKind.TEXT).setText(text);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void eachDeviceOfTheRecipientGetsThePushThroughItsPlatform() throws Exception {
        Pushes pushes = pushes(settings().build(), Map.of(PushPlatform.APNS, apns, PushPlatform.FCM, fcm));
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();
        pushes.register(BOB, "tablet", PushPlatform.FCM, "tablet-token").get();
        pushes.register(ANN, "ann-phone", PushPlatform.APNS, "ann-token").get();

        pushes.missed(COUPLE, BOB, message(5, "private words"));

        await("two pushes", () -> pushes.sent() == 2);
        assertThat(apns.sent).containsExactly("phone-token New message 5");
        assertThat(fcm.sent).containsExactly("tablet-token New message 5");
        assertThat(pushes.failed()).isZero();
    }

    @Test
    void aDeviceGetsOnePushPerMessageAndBurstsAreHeldBack() throws Exception {
        Pushes pushes = pushes(settings().coalesceWindow(Duration.ofMinutes(1)).build(), Map.of(PushPlatform.APNS, apns));
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();

        pushes.missed(COUPLE, BOB, message(5, "a"));
        pushes.missed(COUPLE, BOB, message(5, "a"));
        pushes.missed(COUPLE, BOB, message(6, "b"));
        pushes.missed(COUPLE, BOB, message(7, "c"));

        await("all four considered", () -> pushes.sent() + pushes.duplicates() + pushes.heldBack() == 4);
        assertThat(apns.sent).containsExactly("phone-token New message 5");
        assertThat(pushes.duplicates()).isEqualTo(1);
        assertThat(pushes.heldBack()).isEqualTo(2);
    }

    @Test
    void messagesHeldBackByTheWindowGetOneTrailingPushWhenItEnds() throws Exception {
        Pushes pushes = pushes(settings().coalesceWindow(Duration.ofSeconds(1)).build(), Map.of(PushPlatform.APNS, apns));
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();

        pushes.missed(COUPLE, BOB, message(5, "a"));
        pushes.missed(COUPLE, BOB, message(6, "b"));
        pushes.missed(COUPLE, BOB, message(7, "c"));
        pushes.missed(COUPLE, BOB, message(8, "d"));

        await("the trailing push", () -> pushes.sent() == 2);
        assertThat(apns.sent).containsExactly("phone-token New message 5", "phone-token 3 new messages 8");
        assertThat(pushes.heldBack()).isEqualTo(3);
        assertThat(pushes.summaries()).isEqualTo(1);
    }

    @Test
    void aTokenThePlatformCallsDeadIsDroppedAndGetsNoMorePushes() throws Exception {
        Pushes pushes = pushes(settings().build(), Map.of(PushPlatform.APNS, apns));
        pushes.register(BOB, "old-phone", PushPlatform.APNS, "dead-token").get();
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();
        apns.dead.add("dead-token");

        pushes.missed(COUPLE, BOB, message(5, "a"));
        await("the first push", () -> pushes.sent() == 1 && pushes.invalidTokens() == 1);
        assertThat(tokens.tokens(BOB).get()).extracting(PushTokens.DeviceToken::deviceId).containsExactly("phone");

        pushes.missed(COUPLE, BOB, message(6, "b"));
        await("the second push", () -> pushes.sent() == 2);
        assertThat(apns.sent).containsExactly("dead-token New message 5", "phone-token New message 5",
                "phone-token New message 6");
    }

    @Test
    void aFullQueueDropsMessagesAndCountsThem() throws Exception {
        apns.hold = new CompletableFuture<>();
        Pushes pushes = pushes(settings().queueCapacity(1).build(), Map.of(PushPlatform.APNS, apns));
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();

        pushes.missed(COUPLE, BOB, message(1, "a"));
        await("the worker busy with the first", () -> apns.sent.size() == 1);
        pushes.missed(COUPLE, BOB, message(2, "b"));
        pushes.missed(COUPLE, BOB, message(3, "c"));

        assertThat(pushes.dropped()).isEqualTo(1);
        assertThat(pushes.queued()).isEqualTo(1);
        apns.hold.complete(null);
        await("the queued one sent", () -> pushes.sent() == 2);
        assertThat(apns.sent).containsExactly("phone-token New message 1", "phone-token New message 2");
    }

    @Test
    void withoutAPlatformNothingIsLookedUpOrSent() throws Exception {
        Pushes pushes = pushes(settings().build(), Map.of());
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();

        pushes.missed(COUPLE, BOB, message(1, "a"));

        Thread.sleep(100);
        assertThat(tokens.lookUps).hasValue(0);
    }

    @Test
    void registrationsAreChecked() {
        Pushes pushes = pushes(settings().build(), Map.of());
        List<CompletableFuture<Void>> bad = new ArrayList<>(List.of(
                pushes.register(BOB, "", PushPlatform.APNS, "t"),
                pushes.register(BOB, "phone", null, "t"),
                pushes.register(BOB, "phone", PushPlatform.FCM, " "),
                pushes.register(BOB, "phone", PushPlatform.FCM, "x".repeat(Pushes.MAX_TOKEN_CHARS + 1)),
                pushes.register(BOB, "phone", PushPlatform.FCM, "line\nbreak"),
                pushes.unregister(BOB, "")));
        for (CompletableFuture<Void> call : bad) {
            assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        assertThat(tokens.cells).isEmpty();
    }

    /** Tokens by user and device, in memory, in device order like HBase's qualifiers. */
    @Test
    void aDeviceThatLoggedOutGetsNoMorePushesAndLoggingOutEverywhereClearsEveryDevice() throws Exception {
        Pushes pushes = pushes(settings().build(), Map.of(PushPlatform.APNS, apns));
        pushes.register(BOB, "phone", PushPlatform.APNS, "phone-token").get();
        pushes.register(BOB, "tablet", PushPlatform.APNS, "tablet-token").get();
        pushes.register(ANN, "phone", PushPlatform.APNS, "ann-token").get();

        pushes.loggedOut(BOB, "phone").get();
        pushes.missed(COUPLE, BOB, message(5, "a"));
        await("the push", () -> pushes.sent() == 1);
        assertThat(apns.sent).containsExactly("tablet-token New message 5");

        pushes.loggedOut(BOB, "").get();
        pushes.loggedOutEverywhere(BOB).get();
        assertThat(tokens.tokens(BOB).get()).isEmpty();
        assertThat(tokens.tokens(ANN).get()).as("the partner's devices keep theirs")
                .extracting(PushTokens.DeviceToken::deviceId).containsExactly("phone");
    }

    private static final class MemoryTokens implements PushTokens {
        final Map<String, StoredPushToken> cells = new ConcurrentHashMap<>();
        final AtomicInteger lookUps = new AtomicInteger();

        @Override
        public CompletableFuture<Void> register(long userId, String deviceId, StoredPushToken token) {
            cells.put(userId + "/" + deviceId, token);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> unregister(long userId, String deviceId) {
            cells.remove(userId + "/" + deviceId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> dropIfStill(long userId, DeviceToken device) {
            return CompletableFuture.completedFuture(cells.remove(userId + "/" + device.deviceId(), device.token()));
        }

        @Override
        public CompletableFuture<List<DeviceToken>> tokens(long userId) {
            lookUps.incrementAndGet();
            List<DeviceToken> found = new ArrayList<>();
            cells.entrySet().stream().filter(cell -> cell.getKey().startsWith(userId + "/"))
                    .sorted(Map.Entry.comparingByKey())
                    .forEach(cell -> found.add(new DeviceToken(cell.getKey().substring(cell.getKey().indexOf('/') + 1),
                            cell.getValue(), ThriftCodec.INTERNAL.encode(cell.getValue()), 0)));
            return CompletableFuture.completedFuture(found);
        }
    }

    /** Records "token body seq" of each push; tokens in {@link #dead} are invalid; {@link #hold} delays answers. */
    private static final class RecordingSender implements PushSender {
        final List<String> sent = new CopyOnWriteArrayList<>();
        final List<String> dead = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<Void> hold = CompletableFuture.completedFuture(null);

        @Override
        public CompletableFuture<Result> send(String token, PushContent content) {
            sent.add(token + " " + content.body() + " " + content.seq());
            return hold.thenApply(ignored -> dead.contains(token) ? Result.TOKEN_INVALID : Result.DELIVERED);
        }

        @Override
        public void close() {
        }
    }
}
