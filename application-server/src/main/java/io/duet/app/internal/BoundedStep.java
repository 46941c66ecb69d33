package io.duet.app.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A step of shutdown that may block on a service that is gone (ZooKeeper's client retries for tens of
 * seconds): it runs on a daemon thread of its own, and the caller waits for it at most a bound, then
 * goes on without it. An abandoned step keeps its thread until it ends or the process exits.
 */
public final class BoundedStep {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedStep.class);

    /** A step that may block and throw. */
    public interface Step {
        void run() throws Exception;
    }

    private BoundedStep() {
    }

    /**
     * Runs {@code step}, waiting at most {@code bound} for it; a failure is logged. True if it ended
     * within the bound (failed or not), false if the caller goes on without it.
     */
    public static boolean run(String what, Duration bound, Step step) throws InterruptedException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                step.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "duet-shutdown-" + what.replace(' ', '-'));
        thread.setDaemon(true);
        thread.start();
        try {
            done.get(Math.max(0, bound.toMillis()), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            LOG.warn("Closing {} failed: {}", what, e.getCause().toString());
            return true;
        } catch (TimeoutException e) {
            LOG.warn("Closing {} did not end within {} ms; going on without it", what, bound.toMillis());
            return false;
        }
    }
}
