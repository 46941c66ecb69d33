package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.SendMessageRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a starting server's couple code once through, before it joins the cluster: claims, ordered sends,
 * group commits, a session's catch-up and live events, history and typing, on a couple of its own. On a
 * just-started JVM the first couples a server took over were served at half speed (loading, then
 * storing, by code not yet loaded or compiled): in a rolling restart, that is what clients waited for.
 *
 * <p>The couple has a negative id, which no real couple has (pairing draws non-negative ones), derived
 * from the server's instance id, so that no two starts share it (a row written again just after its
 * delete could stay hidden behind the delete marker); no user belongs to it, and its row is deleted
 * afterwards.
 *
 * <p>Then, given {@link WarmUpCalls}, one more load serves calls that come the way clients' calls do (over a
 * loopback relay link with TLS, through the dispatcher and the API; {@code RelayWarmUp}), so that the
 * relay path's code is loaded and compiled too: the first couples handed to a restarted server stalled
 * longest while it was not. The couple's writes are fenced like any couple's, at its own claims' epochs.
 */
final class CoupleWarmUp {
    private static final long MEMBER_A = -1;
    private static final long MEMBER_B = -2;
    private static final int SENDS_IN_FLIGHT = 16;
    private static final int LOADS = 3;

    private final CoupleServices services;
    private final CoupleStore store;
    private final Executor workers;

    /** @param services the storage, limits and timers of the server's couples, and nothing else of theirs */
    CoupleWarmUp(CoupleServices services, Executor workers) {
        this.services = services;
        this.store = services.store;
        this.workers = workers;
    }

    /** The warm-up couple of the server instance {@code instanceId}. */
    static long coupleIdFor(String instanceId) {
        return Long.MIN_VALUE + (instanceId.hashCode() & 0x7fffffffL);
    }

    /**
     * Runs {@code sends} sends through each of a few loads of the couple, then, unless {@code calls} is
     * null, one more load that {@code serving} makes reachable while {@code calls} run; then deletes it.
     *
     * @param serving given the actor of the last load before the calls run, and null once they have ended
     */
    void run(String instanceId, int sends, long timeoutMillis, WarmUpCalls calls, Consumer<CoupleActor> serving)
            throws Exception {
        long coupleId = coupleIdFor(instanceId);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            store.create(coupleId, MEMBER_A, MEMBER_B, services.clock.millis()).get(remaining(deadline), TimeUnit.MILLISECONDS);
            for (int load = 0; load < LOADS; load++) {
                runLoad(coupleId, load + 1, load, sends, deadline);
            }
            if (calls != null) {
                runCalls(coupleId, LOADS + 1, calls, serving, deadline);
            }
        } finally {
            store.deleteCouple(coupleId).get(Math.max(1000, remaining(deadline)), TimeUnit.MILLISECONDS);
        }
    }

    private void runCalls(long coupleId, long epoch, WarmUpCalls calls, Consumer<CoupleActor> serving, long deadline)
            throws Exception {
        CoupleActor actor = newActor(coupleId, epoch);
        actor.start();
        serving.accept(actor);
        try {
            calls.run(coupleId, MEMBER_A, MEMBER_B, remaining(deadline));
        } finally {
            serving.accept(null);
            actor.close("warm-up done");
        }
    }

    private CoupleActor newActor(long coupleId, long epoch) {
        return new CoupleActor(coupleId, -1, epoch, new SerialExecutor(workers, "warm-up-" + coupleId),
                services, () -> true, retired -> { });
    }

    private void runLoad(long coupleId, long epoch, int load, int sends, long deadline) throws Exception {
        CoupleActor actor = newActor(coupleId, epoch);
        actor.start();
        Session partner = new Session(MEMBER_B);
        try {
            actor.attach(partner).get(remaining(deadline), TimeUnit.MILLISECONDS);
            actor.subscribe(partner, 0, false, null).get(remaining(deadline), TimeUnit.MILLISECONDS);
            String stream = "warm-up-" + load;
            for (int first = 1; first <= sends; first += SENDS_IN_FLIGHT) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (int ordinal = first; ordinal < first + SENDS_IN_FLIGHT && ordinal <= sends; ordinal++) {
                    batch.add(actor.send(MEMBER_A, "warm-up", new SendMessageRequest(stream + "-" + ordinal, "warm-up", 1)
                            .setOrderStream(stream).setOrdinal(ordinal).setAfterOrdinal(ordinal - 1)));
                }
                CompletableFuture.allOf(batch.toArray(new CompletableFuture<?>[0]))
                        .get(remaining(deadline), TimeUnit.MILLISECONDS);
            }
            actor.setTyping(MEMBER_A, true).get(remaining(deadline), TimeUnit.MILLISECONDS);
            actor.history(MEMBER_B, 0, null, CoupleLimits.MAX_PAGE).get(remaining(deadline), TimeUnit.MILLISECONDS);
        } finally {
            actor.close("warm-up done");
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** The partner's session: takes every event and lets catch-up run at full speed. */
    private static final class Session implements SessionStream {
        private final long userId;
        private volatile boolean open = true;

        Session(long userId) {
            this.userId = userId;
        }

        @Override
        public long userId() {
            return userId;
        }

        @Override
        public String deviceId() {
            return "warm-up";
        }

        @Override
        public void pushEvent(byte[] event) {
        }

        @Override
        public void moved(String detail) {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public boolean canReplay() {
            return true;
        }

        @Override
        public void whenReplayable(Runnable task) {
            task.run();
        }
    }
}
