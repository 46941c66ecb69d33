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
        try {
            callbacks.execute(() -> {
                try {
                    callback.accept(listener);
                } catch (RuntimeException e) {
                    LOG.warn("Listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("The client is closed; a callback is dropped");
        }
    }
}
