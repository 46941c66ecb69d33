package io.duet.bench;

import io.duet.bench.SimulatedCouple.Partner;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One load run: pairs the simulated couples, connects their phones (and the idle sessions), then sends
 * open loop at the configured rate for the warm-up and the measured duration, printing progress every
 * second, and returns what it measured. Sends are spread over both partners of every couple at random;
 * each is scheduled at a fixed point in time and its latencies count from there, so a stalled server
 * shows up as latency, not as a lower send rate (no coordinated omission).
 */
public final class LoadGenerator {
    /** How long to wait, after the last scheduled send, for answers still outstanding. */
    private static final long DRAIN_MILLIS = 30_000;
    private static final int SETUP_THREADS = 4;

    private final LoadSettings settings;
    private final PrintStream out;

    public LoadGenerator(LoadSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public LoadResult run() throws Exception {
        String runId = Long.toString(System.currentTimeMillis(), 36);
        EventLoopGroup group = new NioEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
        List<SimulatedCouple> couples = new ArrayList<>();
        IdleSessions idle = null;
        try {
            long setUpStart = System.nanoTime();
            couples.addAll(pairAll(runId));
            LoadRecorder recorder = new LoadRecorder();
            for (SimulatedCouple couple : couples) {
                couple.connect(settings.tcp, group, recorder);
            }
            log("%d couples paired and connected in %d ms", couples.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setUpStart));
            if (settings.idleConnections > 0) {
                List<Partner> phones = phones(couples);
                idle = IdleSessions.open(group, settings.tcp, settings.idleConnections,
                        i -> phones.get(i % phones.size()).session.getToken());
                log("%d idle sessions connected, %d authenticated", idle.connected(), idle.authenticated());
            }
            ProcessCpu cpu = settings.clusterDir == null ? null : ProcessCpu.ofCluster(settings.clusterDir);
            if (cpu != null) {
                log("server CPU read from /proc for %s", cpu.pids().keySet());
            }
            return drive(couples, recorder, cpu, idle);
        } finally {
            if (idle != null) {
                idle.close();
            }
            couples.forEach(SimulatedCouple::close);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Signs up and pairs the couples a few at a time (sign-up costs the server an Argon2 hash each). */
    private List<SimulatedCouple> pairAll(String runId) throws Exception {
        List<SimulatedCouple> paired = new ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(SETUP_THREADS);
        try {
            List<java.util.concurrent.Future<SimulatedCouple>> futures = new ArrayList<>();
            for (int i = 0; i < settings.couples; i++) {
                int index = i;
                futures.add(pool.submit(() -> SimulatedCouple.pair(index, runId, settings.http)));
            }
            for (java.util.concurrent.Future<SimulatedCouple> future : futures) {
                paired.add(future.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        return paired;
    }

    private static List<Partner> phones(List<SimulatedCouple> couples) {
        List<Partner> phones = new ArrayList<>();
        couples.forEach(couple -> phones.addAll(List.of(couple.partners)));
        return phones;
    }

    private LoadResult drive(List<SimulatedCouple> couples, LoadRecorder recorder, ProcessCpu cpu, IdleSessions idle)
            throws IOException {
        List<Partner> phones = phones(couples);
        TextMix texts = new TextMix(settings.meanTextLength);
        AtomicInteger outstanding = new AtomicInteger();
        // Whole seconds, so that the measured part starts at a progress line.
        long warmUpNanos = TimeUnit.SECONDS.toNanos(settings.warmUp.toSeconds());
        long measureNanos = settings.duration.toNanos();
        long start = System.nanoTime();
        long measureStart = start + warmUpNanos;
        long end = measureStart + measureNanos;
        boolean closedLoop = settings.inFlight > 0;
        double sendIntervalNanos = closedLoop ? 0 : 1e9 / settings.rate;
        if (closedLoop) {
            for (Partner phone : phones) {
                for (int i = 0; i < settings.inFlight; i++) {
                    sendClosedLoop(phone, texts, recorder, outstanding, end);
                }
            }
        }
        double typingRate = settings.typingRate * couples.size();
        double typingIntervalNanos = typingRate > 0 ? 1e9 / typingRate : 0;
        Random random = new Random(42);
        long sends = 0;
        long typings = 0;
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        boolean measuring = warmUpNanos == 0;
        Map<String, Long> cpuAtStart = measuring && cpu != null ? cpu.sample() : Map.of();
        long sentAtMeasureStart = 0;
        Histogram acks = null;
        Histogram deliveries = null;
        Histogram typing = null;
        List<LoadResult.Second> timeline = new ArrayList<>();
        long measuredAcks = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            // Every send whose scheduled time has come, even if that is many at once after a pause here.
            while (!closedLoop && start + (long) (sends * sendIntervalNanos) <= now) {
                long scheduledNanos = start + (long) (sends * sendIntervalNanos);
                sends++;
                send(phones.get(random.nextInt(phones.size())), texts, random, recorder,
                        (scheduledNanos - recorder.startNanos()) / 1000, outstanding);
            }
            while (typingRate > 0 && start + (long) (typings * typingIntervalNanos) <= now) {
                typings++;
                toggleTyping(phones.get(random.nextInt(phones.size())), recorder);
            }
            if (now >= nextReport) {
                long reportedUpTo = nextReport;
                nextReport += TimeUnit.SECONDS.toNanos(1);
                Histogram[] interval = recorder.interval();
                if (measuring) {
                    acks = add(acks, interval[0]);
                    deliveries = add(deliveries, interval[1]);
                    typing = add(typing, interval[2]);
                    measuredAcks += interval[0].getTotalCount();
                }
                LoadResult.Second second = LoadResult.Second.of(TimeUnit.NANOSECONDS.toSeconds(now - start),
                        measuring, interval[0], interval[1], outstanding.get());
                timeline.add(second);
                if (!settings.quiet) {
                    out.println(second.describe());
                }
                if (!measuring && reportedUpTo >= measureStart) {
                    // The warm-up's last second is reported: what comes from here on is measured.
                    measuring = true;
                    cpuAtStart = cpu == null ? Map.of() : cpu.sample();
                    sentAtMeasureStart = recorder.scheduledCount();
                }
            }
            long next = nextReport;
            if (!closedLoop) {
                next = Math.min(next, start + (long) (sends * sendIntervalNanos));
            }
            if (typingRate > 0) {
                next = Math.min(next, start + (long) (typings * typingIntervalNanos));
            }
            LockSupport.parkNanos(Math.max(10_000, Math.min(next - System.nanoTime(), 1_000_000)));
        }
        Histogram[] last = recorder.interval();
        acks = add(acks, last[0]);
        deliveries = add(deliveries, last[1]);
        typing = add(typing, last[2]);
        measuredAcks += last[0].getTotalCount();
        Map<String, Long> cpuUsed = new TreeMap<>();
        if (cpu != null) {
            Map<String, Long> cpuAtEnd = cpu.sample();
            Map<String, Long> startCpu = cpuAtStart;
            cpuAtEnd.forEach((node, micros) -> cpuUsed.put(node, micros - startCpu.getOrDefault(node, micros)));
        }
        long measuredSends = recorder.scheduledCount() - sentAtMeasureStart;
        long drainDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        while (outstanding.get() > 0 && System.nanoTime() < drainDeadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return new LoadResult(settings, measuredSends, measuredAcks, recorder.failedCount(), recorder.skippedCount(),
                outstanding.get(), recorder.untaggedCount(), acks, deliveries, typing, cpuUsed, timeline,
                idle == null ? 0 : idle.connected(), idle == null ? 0 : idle.closedByServer());
    }

    private static Histogram add(Histogram total, Histogram interval) {
        if (total == null) {
            return interval.copy();
        }
        total.add(interval);
        return total;
    }

    private void send(Partner phone, TextMix texts, Random random, LoadRecorder recorder, long scheduledMicros,
            AtomicInteger outstanding) {
        if (outstanding.get() >= settings.maxOutstanding) {
            recorder.skipped();
            return;
        }
        recorder.scheduled();
        outstanding.incrementAndGet();
        phone.client.send(TextMix.tagged(scheduledMicros, texts.next(random))).whenComplete((result, failure) -> {
            outstanding.decrementAndGet();
            if (failure == null) {
                recorder.acked(scheduledMicros);
            } else {
                recorder.failed(failure);
            }
        });
    }

    /** Sends from {@code phone} now, and again whenever the previous one is answered, until {@code endNanos}. */
    private void sendClosedLoop(Partner phone, TextMix texts, LoadRecorder recorder, AtomicInteger outstanding,
            long endNanos) {
        long sentMicros = recorder.nowMicros();
        recorder.scheduled();
        outstanding.incrementAndGet();
        String text = TextMix.tagged(sentMicros, texts.next(ThreadLocalRandom.current()));
        phone.client.send(text).whenComplete((result, failure) -> {
            outstanding.decrementAndGet();
            if (failure == null) {
                recorder.acked(sentMicros);
            } else {
                // This slot ends here: resending at once could spin on a closed client.
                recorder.failed(failure);
                return;
            }
            if (System.nanoTime() < endNanos) {
                sendClosedLoop(phone, texts, recorder, outstanding, endNanos);
            }
        });
    }

    private static void toggleTyping(Partner phone, LoadRecorder recorder) {
        boolean typing = !phone.typing;
        phone.typing = typing;
        phone.typingToggledMicros.set(recorder.nowMicros());
        phone.client.setTyping(typing);
    }

    private void log(String format, Object... args) {
        out.printf("duet-load: " + format + "%n", args);
    }
}
