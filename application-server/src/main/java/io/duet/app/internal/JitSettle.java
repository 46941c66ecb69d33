package io.duet.app.internal;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits for this JVM's JIT compiler to fall quiet: at most {@link #QUIET_SHARE} of one compiler thread's
 * time spent compiling over the last {@link #WINDOW}, as {@link CompilationMXBean#getTotalCompilationTime()}
 * counts it (all compiler threads together). A just-started server runs its warm-up and then waits here,
 * so that the couples it is handed are not served while the compiler takes a core of a small box.
 */
public final class JitSettle {
    /** The window the compiler's share is measured over. */
    static final Duration WINDOW = Duration.ofMillis(200);
    /** Quiet: compiling took at most this share of the window. */
    static final double QUIET_SHARE = 0.1;
    private static final long SAMPLE_MILLIS = 50;

    private JitSettle() {
    }

    /**
     * Returns true once the compiler is quiet, false if it is still busy after {@code max} (or at once,
     * true, if this JVM does not report compilation time).
     */
    public static boolean await(Duration max) throws InterruptedException {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        if (compiler == null || !compiler.isCompilationTimeMonitoringSupported()) {
            return true;
        }
        return await(max, compiler::getTotalCompilationTime);
    }

    /** {@link #await(Duration)} reading the total compilation time, in ms, from {@code compileMillis}. */
    static boolean await(Duration max, LongSupplier compileMillis) throws InterruptedException {
        int samples = (int) (WINDOW.toMillis() / SAMPLE_MILLIS);
        long[] window = new long[samples + 1];
        long deadline = System.nanoTime() + max.toNanos();
        long quietMillis = (long) (WINDOW.toMillis() * QUIET_SHARE);
        for (int taken = 0;; taken++) {
            window[taken % window.length] = compileMillis.getAsLong();
            if (taken >= samples && window[taken % window.length] - window[(taken - samples) % window.length] <= quietMillis) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
    }
}
