package io.duet.presentation.weight;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's CPU load, 0 to 1 over all cores, sampled every {@link #INTERVAL} on a thread of its own
 * (the platform reads {@code /proc}, which no event loop may wait for) and smoothed over a window
 * ({@link Weights#smooth}). {@link #smoothed()} only reads a volatile field, so an event loop may call it.
 */
public final class CpuLoad implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CpuLoad.class);
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private enum State { NEW, RUNNING, CLOSED }

    private final Duration window;
    private final DoubleSupplier sampler;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private ScheduledExecutorService executor;
    /** Negative until the first sample the platform could give. */
    private volatile double smoothed = -1;

    /** Samples the JVM's own process CPU load. */
    public CpuLoad(Duration window) {
        this(window, processCpuLoad());
    }

    CpuLoad(Duration window, DoubleSupplier sampler) {
        this.window = window;
        this.sampler = sampler;
    }

    private static DoubleSupplier processCpuLoad() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os::getProcessCpuLoad;
        }
        LOG.warn("This JVM does not tell its process CPU load: weights follow sessions only");
        return () -> -1;
    }

    /** Starts sampling; once. */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "duet-cpu-load");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleAtFixedRate(this::sample, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sample() {
        try {
            smoothed = Weights.smooth(smoothed, sampler.getAsDouble(), INTERVAL, window);
        } catch (RuntimeException e) {
            LOG.warn("Cannot sample the CPU load; keeping {}", smoothed, e);
        }
    }

    /** The smoothed load, 0 to 1; 0 until the platform has given a sample. */
    public double smoothed() {
        return Math.max(0, smoothed);
    }

    /** Stops sampling. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.RUNNING) {
            executor.shutdownNow();
        }
    }
}
