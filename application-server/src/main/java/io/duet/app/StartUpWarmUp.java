package io.duet.app;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.WarmUpCalls;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an application server does between binding its relay port and joining the cluster, so that the first
 * couples it takes over are served by warm code from a clean heap: the warm-up ({@link
 * CoupleRegistry#warmUp}, then clients' calls over a relay link to its own port), then one full collection.
 */
final class StartUpWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(StartUpWarmUp.class);
    /**
     * Sends per load of each warm-up couple before joining (3 loads of 4 couples): enough to load and compile
     * the couple code.
     */
    static final int COUPLE_SENDS = 100;
    /**
     * How long the warm-up before joining may take at most ({@code cluster.warm-up-timeout}; 0 skips it and
     * the collection after it): past it the server joins anyway, warm or not. It is logged ({@code Warmed up
     * in ... ms}): 1.3-4.3 s in HandoffIT's and FailoverIT's starts on a 2-core box.
     */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private StartUpWarmUp() {
    }

    /**
     * Runs the couple code, then {@code calls}, on couples of the server's own within {@code timeout}; a
     * warm-up that fails or runs out of time is logged, and the server joins anyway. Then {@link
     * #collectGarbage}.
     */
    static void run(Duration timeout, CoupleRegistry couples, WarmUpCalls calls, String instanceId)
            throws InterruptedException {
        if (timeout.isZero() || timeout.isNegative()) {
            return;
        }
        long started = System.nanoTime();
        try {
            couples.warmUp(instanceId, COUPLE_SENDS, timeout, calls);
            LOG.info("Warmed up in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.warn("Warm-up incomplete after {} ms (the first couples will be served slower): {}",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), e.toString());
        }
        collectGarbage();
    }

    /**
     * One full collection before joining, so that the objects the start and the warm-up left alive (caches,
     * connections, compiled-code metadata, the warm-up couples' leftovers) sit in the old generation when the
     * first couples come. Without it, each of the first young collections after joining copies them again
     * between survivor spaces until they are old enough to be promoted: on a busy 2-core box those pauses took
     * 77-236 ms in a restarted server's first half minute (11-63 ms with it; its GC log in HandoffIT), and the
     * couples handed over to it stalled for as long. The collection holds up no couple of this server (it has
     * none yet), though it takes CPU from whatever shares the machine. Skipped, and said so, where it would not
     * do that ({@link #whyNotCollect}).
     */
    private static void collectGarbage() {
        String why = whyNotCollect();
        if (why != null) {
            LOG.info("No collection of the start-up garbage: {}", why);
            return;
        }
        long started = System.nanoTime();
        System.gc();
        LOG.info("Collected the start-up garbage in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Why a collection now would not do what it is for, or null: explicit collections disabled or made
     * concurrent, or a heap that may shrink (initial size below the maximum), which a full collection would
     * shrink and so bring frequent young pauses back.
     */
    static String whyNotCollect() {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        for (String flag : new String[] {"DisableExplicitGC", "ExplicitGCInvokesConcurrent"}) {
            if (vm != null && "true".equals(vm.getVMOption(flag).getValue())) {
                return "-XX:+" + flag;
            }
        }
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        if (heap.getMax() > 0 && heap.getInit() < heap.getMax()) {
            return "the heap may shrink (initial " + (heap.getInit() >> 20) + " MiB, maximum " + (heap.getMax() >> 20)
                    + " MiB; start with -Xms equal to -Xmx)";
        }
        return null;
    }
}
