package io.duet.client.internal;

import io.duet.client.DuetListener;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands what the session has to tell to the application's {@link DuetListener}, on the SDK's one
 * callback thread, never on the event loop: a slow listener does not hold up the session. A listener
 * that throws is logged and the session goes on. Called on the event loop; callbacks run in the order
 * they were posted. Once the client is closed (its callback thread shut down), callbacks are dropped.
 */
final class ListenerCallbacks {
    private static final Logger LOG = LoggerFactory.getLogger(ListenerCallbacks.class);

    private final Executor callbacks;
    private final DuetListener listener;

    ListenerCallbacks(Executor callbacks, DuetListener listener) {
        this.callbacks = callbacks;
        this.listener = listener;
    }

    void post(Consumer<DuetListener> callback) {
        post(callback, normally -> { });
    }

    /**
     * As {@link #post(Consumer)}; {@code then} is told right after, on the callback thread, whether the
     * listener returned normally.
     */
    void post(Consumer<DuetListener> callback, Outcome then) {
        run(() -> {
            boolean normally = false;
            try {
                callback.accept(listener);
                normally = true;
            } catch (RuntimeException e) {
                LOG.warn("Listener failed", e);
            }
            then.listenerReturned(normally);
        });
    }

    /** Runs {@code task} on the callback thread after the callbacks posted before it, without the listener. */
    void then(Runnable task) {
        run(task);
    }

    private void run(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("The client is closed; a callback is dropped");
        }
    }

    /** What a callback's poster is told once the listener ran. */
    @FunctionalInterface
    interface Outcome {
        void listenerReturned(boolean normally);
    }
}
