package io.duet.app.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted tasks one at a time, in submission order, on threads of a shared pool: a lightweight
 * actor mailbox. State confined to one {@code SerialExecutor} needs no locks; methods that touch it call
 * {@link #checkInContext()} first, as grpc's {@code SynchronizationContext} does.
 *
 * <p>A task that throws is logged and does not stop the tasks after it.
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor pool;
    private final String name;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    // @GuardedBy("lock")
    private boolean scheduled;
    private volatile Thread runningThread;

    public SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (lock) {
            tasks.add(task);
            if (scheduled) {
                return;
            }
            scheduled = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RuntimeException e) {
            synchronized (lock) {
                scheduled = false;
                tasks.clear();
            }
            throw e;
        }
    }

    private void drain() {
        runningThread = Thread.currentThread();
        try {
            for (int ran = 0; ran < 1024; ran++) {
                Runnable task;
                synchronized (lock) {
                    task = tasks.poll();
                    if (task == null) {
                        scheduled = false;
                        return;
                    }
                }
                try {
                    task.run();
                } catch (RuntimeException | AssertionError e) {
                    LOG.error("Task on {} failed", name, e);
                }
            }
        } finally {
            runningThread = null;
        }
        // Yield the pool thread to other actors after a long run, keeping our place.
        pool.execute(this::drain);
    }

    /** True when called from a task of this executor. */
    public boolean isInContext() {
        return runningThread == Thread.currentThread();
    }

    /** Fails fast when state owned by this executor is touched from elsewhere. */
    public void checkInContext() {
        if (!isInContext()) {
            throw new IllegalStateException("not running on " + name + " (thread " + Thread.currentThread().getName() + ")");
        }
    }

    @Override
    public String toString() {
        return "SerialExecutor(" + name + ')';
    }
}
