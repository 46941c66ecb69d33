package io.duet.app.push;

import io.duet.app.couple.OfflineNotifier;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.PushTokens;
import io.duet.app.storage.PushTokens.DeviceToken;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.storage.StoredPushToken;
import io.github.bucket4j.TimeMeter;
import java.io.IOException;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes to partners who are offline, and the devices' push tokens.
 *
 * <p>A couple's actor reports each committed message whose recipient has no session attached ({@link
 * #missed}); the report is queued (at most {@code push.queue-capacity}; beyond, it is dropped and counted)
 * and a worker, never an event loop nor a couple's executor, reads the recipient's tokens from HBase and,
 * for each device the {@link PushGate} lets through, sends a push with the {@link PushContent} through its
 * platform's {@link PushSender}, waiting at most {@code push.send-timeout}. A token the platform calls
 * invalid is deleted (if it is still the device's token). Nothing is retried: a lost push costs a
 * notification, never a message, which the app fetches when opened.
 *
 * <p>Messages the gate held back (a burst within the coalescing window, or over the device's rate) get one
 * trailing push once the gate allows one ("3 new messages", {@code push.summary-body}): a timer thread
 * asks the gate when it is due and hands the send to the workers. At most one is scheduled per tracked
 * device.
 *
 * <p>Lifecycle: built running; {@link #close()} (idempotent) stops the timer and the workers, dropping what
 * is queued, and closes the senders.
 */
public final class Pushes implements OfflineNotifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pushes.class);
    /** The longest token accepted, in characters (APNs tokens are 64 hex digits, FCM's about 160). */
    public static final int MAX_TOKEN_CHARS = 4096;

    private final PushSettings settings;
    private final PushTokens store;
    private final Map<PushPlatform, PushSender> senders;
    private final PushGate gate;
    private final Clock clock;
    private final ThreadPoolExecutor workers;
    /** Only decides trailing pushes with the gate; never sends. */
    private final ScheduledExecutorService timer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final LongAdder sent = new LongAdder();
    private final LongAdder summaries = new LongAdder();
    private final LongAdder heldBack = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder invalidTokens = new LongAdder();

    /** With the given senders (tests); {@link #start} builds them from the settings. */
    Pushes(PushSettings settings, PushTokens store, Map<PushPlatform, PushSender> senders, Clock clock,
            TimeMeter time) {
        this.settings = settings;
        this.store = store;
        this.senders = senders.isEmpty() ? Map.of() : new EnumMap<>(senders);
        this.clock = clock;
        this.gate = new PushGate(settings.coalesceWindow, settings.ratePerDevice, settings.maxTrackedDevices, time);
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.workers, settings.workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity), runnable -> {
                    Thread thread = new Thread(runnable, "duet-push-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duet-push-timer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Pushes with the platforms {@code settings} configure (none: tokens are kept, nothing is sent). */
    public static Pushes start(PushSettings settings, PushTokens store, Clock clock) throws IOException {
        Map<PushPlatform, PushSender> senders = new EnumMap<>(PushPlatform.class);
        if (settings.apns != null) {
            senders.put(PushPlatform.APNS, ApnsPushSender.create(settings.apns));
        }
        if (settings.fcm != null) {
            senders.put(PushPlatform.FCM, FcmPushSender.create(settings.fcm, settings.sendTimeout));
        }
        if (senders.isEmpty()) {
            LOG.info("No push.apns.* nor push.fcm.* settings: no pushes are sent");
        } else {
            LOG.info("Pushes to offline partners through {}", senders.keySet());
        }
        return new Pushes(settings, store, senders, clock, TimeMeter.SYSTEM_NANOTIME);
    }

    // ---- tokens ---------------------------------------------------------------------------------

    /** Sets the push token of {@code userId}'s device {@code deviceId}; INVALID_ARGUMENT for a bad one. */
    public CompletableFuture<Void> register(long userId, String deviceId, PushPlatform platform, String token) {
        String problem = deviceId == null || deviceId.isEmpty() ? "the session names no device"
                : platform == null ? "platform is required (APNS or FCM)"
                : token == null || token.isBlank() ? "token is required"
                : token.length() > MAX_TOKEN_CHARS ? "token is longer than " + MAX_TOKEN_CHARS + " characters"
                : token.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? "token holds control characters" : null;
        if (problem != null) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument(problem));
        }
        return store.register(userId, deviceId, new StoredPushToken(platform.getValue(), token, clock.millis()));
    }

    public CompletableFuture<Void> unregister(long userId, String deviceId) {
        if (deviceId == null || deviceId.isEmpty()) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument("the session names no device"));
        }
        return store.unregister(userId, deviceId);
    }

    /**
     * A device logged out: its token goes, so that a phone nobody is logged in on (handed on, stolen, or
     * switched to another account) gets no more of this user's pushes. Nothing to do for a session that
     * names no device.
     */
    public CompletableFuture<Void> loggedOut(long userId, String deviceId) {
        return deviceId == null || deviceId.isEmpty() ? CompletableFuture.completedFuture(null)
                : store.unregister(userId, deviceId);
    }

    /** The user logged out everywhere: every device's token goes. */
    public CompletableFuture<Void> loggedOutEverywhere(long userId) {
        return store.tokens(userId).thenCompose(devices -> CompletableFuture.allOf(devices.stream()
                .map(device -> store.unregister(userId, device.deviceId())).toArray(CompletableFuture[]::new)));
    }

    // ---- pushes ---------------------------------------------------------------------------------

    @Override
    public void missed(long coupleId, long recipientId, Message message) {
        if (senders.isEmpty() || closed.get()) {
            return;
        }
        PushContent content = PushContent.of(settings, coupleId, message);
        try {
            workers.execute(() -> push(recipientId, content));
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    private void push(long recipientId, PushContent content) {
        List<DeviceToken> devices;
        try {
            devices = store.tokens(recipientId).get(settings.sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            failed.increment();
            LOG.warn("Cannot read the push tokens of user {}: {}", recipientId, e.toString());
            interruptedAgain(e);
            return;
        }
        for (DeviceToken device : devices) {
            PushPlatform platform = PushPlatform.findByValue(device.token().getPlatform());
            PushSender sender = platform == null ? null : senders.get(platform);
            if (sender == null) {
                continue;
            }
            String key = platform + ":" + device.token().getToken();
            PushGate.Admission admission = gate.admit(key, content);
            switch (admission.verdict()) {
                case DUPLICATE:
                    duplicates.increment();
                    continue;
                case HELD_BACK:
                    heldBack.increment();
                    if (admission.trailingDue()) {
                        scheduleTrailing(new TrailingTarget(recipientId, device, sender, key),
                                admission.trailingAfterNanos());
                    }
                    continue;
                default:
                    break;
            }
            send(recipientId, device, sender, PushContent.summary(settings, content, admission.messages()));
        }
    }

    /** Where a device's trailing push goes. */
    private record TrailingTarget(long recipientId, DeviceToken device, PushSender sender, String key) {
    }

    private void scheduleTrailing(TrailingTarget trailing, long afterNanos) {
        try {
            timer.schedule(() -> trailing(trailing), afterNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    /** On the timer: asks the gate, and hands a due summary to the workers. */
    private void trailing(TrailingTarget trailing) {
        PushGate.Trailing due = gate.trailing(trailing.key());
        if (due.retry()) {
            scheduleTrailing(trailing, due.retryAfterNanos());
        } else if (due.send()) {
            PushContent summary = PushContent.summary(settings, due.latest(), due.messages());
            try {
                workers.execute(() -> {
                    summaries.increment();
                    send(trailing.recipientId(), trailing.device(), trailing.sender(), summary);
                });
            } catch (RejectedExecutionException e) {
                dropped.increment();
            }
        }
    }

    private void send(long recipientId, DeviceToken device, PushSender sender, PushContent content) {
        try {
            switch (sender.send(device.token().getToken(), content)
                    .get(settings.sendTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                case DELIVERED:
                    sent.increment();
                    break;
                case TOKEN_INVALID:
                    invalidTokens.increment();
                    boolean deleted = store.dropIfStill(recipientId, device)
                            .get(settings.sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Push token of user {} device {} is invalid: {}", recipientId, device.deviceId(),
                            deleted ? "dropped" : "already replaced");
                    break;
                default:
                    failed.increment();
            }
        } catch (Exception e) {
            failed.increment();
            LOG.warn("Push to user {} device {} failed: {}", recipientId, device.deviceId(), e.toString());
            interruptedAgain(e);
        }
    }

    private static void interruptedAgain(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pushes the platforms accepted. */
    public long sent() {
        return sent.sum();
    }

    /** Trailing pushes tried: each sums up messages held back (counted in {@link #heldBack}). */
    public long summaries() {
        return summaries.sum();
    }

    /** Pushes not sent because of the coalescing window or the device's rate (a trailing push may sum them up). */
    public long heldBack() {
        return heldBack.sum();
    }

    /** Pushes not sent because the device already had one for the message or a newer one. */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Messages (or trailing pushes) not pushed because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    /** Pushes lost to errors (token look-up, network, the platform). */
    public long failed() {
        return failed.sum();
    }

    /** Pushes the platform answered with "invalid token" (the token was then dropped). */
    public long invalidTokens() {
        return invalidTokens.sum();
    }

    /** Messages waiting for a worker. */
    public int queued() {
        return workers.getQueue().size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.shutdownNow();
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(settings.sendTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Push workers still running after {}", settings.sendTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.values().forEach(PushSender::close);
    }
}
