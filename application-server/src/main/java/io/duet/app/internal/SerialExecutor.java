package io.duet.app.internal;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted tasks one at a time, in submission order, on threads of a shared pool: a lightweight
 * actor mailbox. State confined to one {@code SerialExecutor} needs no locks; methods that touch it call
 * {@link #checkInContext()} first, as grpc's {@code SynchronizationContext} does.
 *
 * <p>A task that throws is logged and does not stop the tasks after it.
 *
 * <p><b>Bound.</b> {@link #execute} always takes the task: it is for work already admitted (completions,
 * timers), which must not be lost. New work from outside comes through {@link #tryExecute}, which refuses
 * it while {@code capacity} tasks wait, so the queue stays bounded by the capacity plus the follow-up
 * work of what was admitted.
 *
 * <p><b>Inline.</b> A task handed to an idle executor (nothing queued, no drain scheduled) from a thread
 * made by {@link #inlineCapable} runs at once on that thread, instead of waiting for a pool thread to wake
 * up: the relay's event loops and the threads that continue after HBase replies hand a couple its work, and
 * each hand-off to another thread cost a wake-up, a context switch and a cache miss or two (the application
 * server's profile found a sixth of its CPU in them). Order and confinement are the same as on the pool: the
 * drain is the executor's only one while it runs. Such a thread runs at most {@link #MAX_INLINE_TASKS} before
 * it gives the rest to the pool, and never runs a second executor's tasks inside the first one's (those go to
 * the pool), so a burst of work cannot keep an event loop from its I/O. Tasks must not block, which they must
 * not on the pool either.
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    /** Tasks one drain runs before it gives its pool thread to other executors. */
    static final int MAX_TASKS_PER_RUN = 1024;
    /** Tasks a thread of {@link #inlineCapable} runs itself before it hands the rest to the pool. */
    static final int MAX_INLINE_TASKS = 64;
    /** Tasks that may wait before {@link #tryExecute} refuses more. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** Set on threads of {@link #inlineCapable}: whether the thread is running an executor's tasks inline now. */
    private static final ThreadLocal<boolean[]> INLINE = new ThreadLocal<>();

    private final Executor pool;
    private final String name;
    private final int capacity;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    // @GuardedBy("lock")
    private boolean scheduled;
    private volatile Thread runningThread;

    public SerialExecutor(Executor pool, String name) {
        this(pool, name, DEFAULT_CAPACITY);
    }

    /** @param capacity how many waiting tasks make {@link #tryExecute} refuse more */
    public SerialExecutor(Executor pool, String name, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.pool = pool;
        this.name = name;
        this.capacity = capacity;
    }

    /**
     * Threads of {@code factory} that run an idle executor's tasks themselves (see the class comment). For
     * threads whose callers never hold a lock while handing over work, and whose work must never block.
     */
    public static ThreadFactory inlineCapable(ThreadFactory factory) {
        return runnable -> factory.newThread(() -> {
            INLINE.set(new boolean[1]);
            runnable.run();
        });
    }

    @Override
    public void execute(Runnable task) {
        enqueue(task, false);
    }

    /**
     * Runs {@code task} like {@link #execute}, unless {@code capacity} tasks wait already.
     *
     * @return false if the task was refused (it will not run)
     */
    public boolean tryExecute(Runnable task) {
        return enqueue(task, true);
    }

    /** How many tasks wait; a snapshot. */
    public int queued() {
        synchronized (lock) {
            return tasks.size();
        }
    }

    private boolean enqueue(Runnable task, boolean bounded) {
        synchronized (lock) {
            if (bounded && tasks.size() >= capacity) {
                return false;
            }
            tasks.add(task);
            if (scheduled) {
                return true;
            }
            scheduled = true;
        }
        boolean[] inline = INLINE.get();
        if (inline != null && !inline[0]) {
            inline[0] = true;
            try {
                drain(MAX_INLINE_TASKS);
            } finally {
                inline[0] = false;
            }
            return true;
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
        return true;
    }

    private void drain() {
        drain(MAX_TASKS_PER_RUN);
    }

    private void drain(int maxTasks) {
        runningThread = Thread.currentThread();
        boolean yielding = true;
        try {
            for (int ran = 0; ran < maxTasks; ran++) {
                Runnable task;
                synchronized (lock) {
                    task = tasks.poll();
                    if (task == null) {
                        // Cleared before another drain can be scheduled: cleared after, it could wipe out
                        // the next drain's thread, and that drain's tasks would be refused as out of context.
                        runningThread = null;
                        scheduled = false;
                        yielding = false;
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
            if (yielding) {
                // A long run (or an Error out of a task): yield the thread to other actors, keeping our
                // place on the pool; the next drain is the only one.
                runningThread = null;
                try {
                    pool.execute(this::drain);
                } catch (RuntimeException e) {
                    // The pool is shut down: nobody will drain, so take tasks no longer, as execute() does.
                    synchronized (lock) {
                        scheduled = false;
                        tasks.clear();
                    }
                    throw e;
                }
            }
        }
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
