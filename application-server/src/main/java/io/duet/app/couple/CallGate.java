package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The door of a couple's calls: each goes onto the couple's executor (BUSY when its queue is full), waits
 * there while the couple loads (at most {@code maxWaiting} calls; more get BUSY), and then runs if the
 * actor admits its caller, with its outcome relayed to the caller (unwrapped).
 */
final class CallGate {
    private final long coupleId;
    private final SerialExecutor executor;
    private final int maxWaiting;
    private final BooleanSupplier loading;
    private final LongFunction<Exception> refusal;

    // Confined to the executor.
    private final List<Runnable> waiting = new ArrayList<>();

    /**
     * @param loading whether the couple is still loading (calls wait)
     * @param refusal why a call of a user may not run now (the couple closed or moved, not a member); null
     *     when it may
     */
    CallGate(long coupleId, SerialExecutor executor, int maxWaiting, BooleanSupplier loading,
            LongFunction<Exception> refusal) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.maxWaiting = maxWaiting;
        this.loading = loading;
        this.refusal = refusal;
    }

    /** Runs {@code operation} of {@code userId} on the executor once the couple is loaded, if it is admitted. */
    <T> CompletableFuture<T> call(long userId, Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean admitted = executor.tryExecute(() -> {
            Runnable run = () -> {
                Exception refused = refusal.apply(userId);
                if (refused != null) {
                    result.completeExceptionally(refused);
                    return;
                }
                try {
                    operation.get().whenComplete((value, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(ApiErrors.unwrap(failure));
                        } else {
                            result.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(ApiErrors.unwrap(e));
                }
            };
            if (!loading.getAsBoolean()) {
                run.run();
            } else if (waiting.size() >= maxWaiting) {
                result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " is loading with "
                        + maxWaiting + " calls waiting; retry later"));
            } else {
                waiting.add(run);
            }
        });
        if (!admitted) {
            result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " has " + maxWaiting
                    + " calls waiting; retry later"));
        }
        return result;
    }

    /** The couple loaded, or failed to: the calls that waited run now (or are refused). */
    void loadEnded() {
        executor.checkInContext();
        List<Runnable> ready = new ArrayList<>(waiting);
        waiting.clear();
        ready.forEach(Runnable::run);
    }

    /** Calls waiting for the load. */
    int waiting() {
        return waiting.size();
    }
}
