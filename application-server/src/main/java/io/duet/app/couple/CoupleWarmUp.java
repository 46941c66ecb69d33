package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.cluster.Shards;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a starting server's couple code once through, before it joins the cluster: claims, ordered sends,
 * group commits, a session's catch-up and live events, history and typing, on couples of its own. On a
 * just-started JVM the first couples a server took over were served at half speed (loading, then
 * storing, by code not yet loaded or compiled): in a rolling restart, that is what clients waited for.
 *
 * <p>The loads run {@value #COUPLES} couples at once, so that group commits take the shapes real traffic
 * gives them ({@link #coupleIdsFor}): two commits in one region (one multi-row call), and commits alone in
 * their regions (several conditional writes in one multi-request). Which commits share a group is up to
 * their timing, so these shapes are likely, not certain. With a single couple every group held
 * one commit, and a restarted server ran the other shapes for the first time with the first couples handed
 * to it: their sends stalled 450-650 ms in HandoffIT, after their claims had answered in 150 ms.
 *
 * <p>The couples have negative ids, which no real couple has (pairing draws non-negative ones), derived
 * from the server's instance id, so that no two starts share them (a row written again just after its
 * delete could stay hidden behind the delete marker); no user belongs to them, and their rows are deleted
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
    /** Couples loaded at once ({@link #coupleIdsFor}). */
    static final int COUPLES = 4;
    /** Ids of one instance's warm-up block: the couples of instances whose ids' hashes are close never meet. */
    private static final long ID_BLOCK = 1L << 20;

    private final CoupleServices services;
    private final CoupleStore store;
    private final Executor workers;

    /** @param services the storage, limits and timers of the server's couples, and nothing else of theirs */
    CoupleWarmUp(CoupleServices services, Executor workers) {
        this.services = services;
        this.store = services.store;
        this.workers = workers;
    }

    /**
     * The warm-up couple of the server instance {@code instanceId}: the first of {@link #coupleIdsFor}, at the
     * start of a block of {@value #ID_BLOCK} ids of the instance's own.
     */
    static long coupleIdFor(String instanceId) {
        return Long.MIN_VALUE + ((instanceId.hashCode() & 0x7fffffffL) * ID_BLOCK);
    }

    /**
     * The warm-up couples of the server instance {@code instanceId}, all in its block of ids: its couple
     * ({@link #coupleIdFor}), two more in the same shard (so in the same region: most groups that hold two of
     * the three make a multi-row call), and one in the shard half-way round, which a table pre-split into
     * regions of whole shards keeps in another region (a group with it and one of the others makes a
     * multi-request). With fewer than two regions every group is a multi-row call.
     */
    static long[] coupleIdsFor(String instanceId, int shardCount) {
        long first = coupleIdFor(instanceId);
        int shard = Shards.shardOf(first, shardCount);
        int[] shards = {shard, shard, (shard + shardCount / 2) % shardCount};
        long[] ids = new long[COUPLES];
        ids[0] = first;
        long candidate = first;
        for (int i = 1; i < COUPLES; i++) {
            do {
                candidate++;
                if (candidate - first >= ID_BLOCK) {
                    throw new IllegalStateException("no id of shard " + shards[i - 1] + " in the warm-up's block");
                }
            } while (Shards.shardOf(candidate, shardCount) != shards[i - 1]);
            ids[i] = candidate;
        }
        return ids;
    }

    /**
     * Runs {@code sends} sends through each of a few loads of each couple (the couples at once), then,
     * unless {@code calls} is null, one more load of the first couple that {@code serving} makes reachable
     * while {@code calls} run; then deletes them.
     *
     * @param serving given the actor of the last load before the calls run, and null once they have ended
     */
    void run(String instanceId, int sends, long timeoutMillis, WarmUpCalls calls, Consumer<CoupleActor> serving)
            throws Exception {
        long[] coupleIds = coupleIdsFor(instanceId, store.shardCount());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            List<CompletableFuture<Boolean>> created = new ArrayList<>();
            for (long coupleId : coupleIds) {
                created.add(store.create(coupleId, MEMBER_A, MEMBER_B, services.clock.millis()));
            }
            allOf(created, deadline);
            for (int load = 0; load < LOADS; load++) {
                runLoad(coupleIds, load + 1, load, sends, deadline);
            }
            if (calls != null) {
                runCalls(coupleIds[0], LOADS + 1, calls, serving, deadline);
            }
        } finally {
            List<CompletableFuture<Void>> deleted = new ArrayList<>();
            for (long coupleId : coupleIds) {
                deleted.add(store.deleteCouple(coupleId));
            }
            CompletableFuture.allOf(deleted.toArray(new CompletableFuture<?>[0]))
                    .get(Math.max(1000, remaining(deadline)), TimeUnit.MILLISECONDS);
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

    private void runLoad(long[] coupleIds, long epoch, int load, int sends, long deadline) throws Exception {
        List<CoupleActor> actors = new ArrayList<>();
        try {
            List<CompletableFuture<?>> subscribed = new ArrayList<>();
            for (long coupleId : coupleIds) {
                CoupleActor actor = newActor(coupleId, epoch);
                actors.add(actor);
                actor.start();
                Session partner = new Session(MEMBER_B);
                subscribed.add(actor.attach(partner).thenCompose(attached -> actor.subscribe(partner, 0, false, null)));
            }
            allOf(subscribed, deadline);
            String stream = "warm-up-" + load;
            for (int first = 1; first <= sends; first += SENDS_IN_FLIGHT) {
                List<CompletableFuture<?>> batch = new ArrayList<>();
                for (CoupleActor actor : actors) {
                    for (int ordinal = first; ordinal < first + SENDS_IN_FLIGHT && ordinal <= sends; ordinal++) {
                        batch.add(actor.send(MEMBER_A, "warm-up", new SendMessageRequest(stream + "-" + ordinal,
                                "warm-up", 1).setOrderStream(stream).setOrdinal(ordinal).setAfterOrdinal(ordinal - 1)));
                    }
                }
                allOf(batch, deadline);
            }
            List<CompletableFuture<?>> rest = new ArrayList<>();
            for (CoupleActor actor : actors) {
                rest.add(actor.setTyping(MEMBER_A, true));
                rest.add(actor.history(MEMBER_B, 0, null, CoupleLimits.MAX_PAGE));
            }
            allOf(rest, deadline);
        } finally {
            actors.forEach(actor -> actor.close("warm-up done"));
        }
    }

    private static void allOf(List<? extends CompletableFuture<?>> futures, long deadline) throws Exception {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(remaining(deadline), TimeUnit.MILLISECONDS);
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
