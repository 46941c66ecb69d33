package io.duet.client.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread a client's listener callbacks run on, in the order they were posted. Posting never
 * blocks (a lock-free queue and an unpark), since it happens on the event loop: a queue with a lock
 * would make the loop wait whenever the callback thread holds it. After {@link #shutdown()}, what was
 * posted still runs and new posts are refused.
 */
public final class CallbackThread implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackThread.class);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean shutdown;

    public CallbackThread(String name) {
        thread = new Thread(this::runTasks, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the client is closed");
        }
        tasks.add(task);
        LockSupport.unpark(thread);
    }

    /** Runs what was posted, then lets the thread end. */
    public void shutdown() {
        shutdown = true;
        LockSupport.unpark(thread);
    }

    private void runTasks() {
        while (true) {
            Runnable task = tasks.poll();
            if (task != null) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("A callback failed", e);
                }
            } else if (shutdown) {
                return;
            } else {
                LockSupport.park(this);
            }
        }
    }
}
