package io.duet.it.chaos;

import io.duet.it.chaos.ChatLoad.SendRecord;
import io.duet.it.chaos.ChatLoad.Sender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The per-request stall (send to acknowledgement) distribution of a phase of a {@link ChatLoad}. */
final class Stalls {
    private Stalls() {
    }

    /**
     * Prints {@code TAG phase: N requests, stall p50, p99, p99.9, max} of the sends made between {@code from}
     * and {@code to} ({@link System#nanoTime()}), after the slowest six; returns the p99 in ms.
     */
    static long print(String tag, ChatLoad load, String phase, long from, long to) {
        List<Long> stalls = new ArrayList<>();
        for (Sender sender : load.senders()) {
            for (SendRecord record : sender.log) {
                if (record.acknowledged() && record.sentNanos >= from && record.sentNanos <= to) {
                    stalls.add(TimeUnit.NANOSECONDS.toMillis(record.ackNanos - record.sentNanos));
                }
            }
        }
        if (stalls.isEmpty()) {
            throw new AssertionError(tag + " " + phase + ": no request was acknowledged");
        }
        Collections.sort(stalls);
        long wallOffsetMillis = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        load.senders().stream().flatMap(sender -> sender.log.stream())
                .filter(record -> record.acknowledged() && record.sentNanos >= from && record.sentNanos <= to)
                .sorted((a, b) -> Long.compare(b.ackNanos - b.sentNanos, a.ackNanos - a.sentNanos)).limit(6)
                .forEach(record -> System.out.printf("  slow: %s sent at %s, acknowledged after %d ms%n", record.text,
                        Instant.ofEpochMilli(wallOffsetMillis + TimeUnit.NANOSECONDS.toMillis(record.sentNanos)),
                        TimeUnit.NANOSECONDS.toMillis(record.ackNanos - record.sentNanos)));
        long p99 = percentile(stalls, 0.99);
        System.out.printf("%s %s: %d requests, stall p50 %d, p99 %d, p99.9 %d, max %d ms%n", tag, phase, stalls.size(),
                percentile(stalls, 0.5), p99, percentile(stalls, 0.999), stalls.get(stalls.size() - 1));
        return p99;
    }

    /**
     * Prints the stall distribution of the requests a handoff touched, among those sent between {@code from}
     * and {@code to}: in flight when a shard map was published ({@code publishedNanos}), or sent within
     * {@code after} of one. Most requests of a phase see no handoff at all, and would dilute its p99.
     * Returns that p99 in ms, or -1 when no request was touched.
     */
    static long printTouched(String tag, ChatLoad load, String phase, long from, long to, List<Long> publishedNanos,
            Duration after) {
        List<Long> stalls = touchedStalls(load, from, to, publishedNanos, after.toNanos());
        long maps = publishedNanos.stream().filter(at -> at >= from && at <= to).count();
        if (stalls.isEmpty()) {
            System.out.printf("%s %s: no request in flight at any of %d shard map changes%n", tag, phase, maps);
            return -1;
        }
        printByChange(tag, load, from, to, publishedNanos, after.toNanos());
        long p99 = percentile(stalls, 0.99);
        System.out.printf("%s %s, requests in flight at one of %d shard map changes or sent within %d ms after: %d, "
                + "stall p50 %d, p99 %d, max %d ms%n", tag, phase, maps, after.toMillis(), stalls.size(),
                percentile(stalls, 0.5), p99, stalls.get(stalls.size() - 1));
        return p99;
    }

    /**
     * The stalls, in ms and sorted, of the acknowledged requests sent between {@code from} and {@code to} that a
     * change at one of {@code publishedNanos} touched: in flight at it, or sent within {@code afterNanos} after it.
     */
    private static List<Long> touchedStalls(ChatLoad load, long from, long to, List<Long> publishedNanos,
            long afterNanos) {
        List<Long> stalls = new ArrayList<>();
        for (Sender sender : load.senders()) {
            for (SendRecord record : sender.log) {
                if (record.acknowledged() && record.sentNanos >= from && record.sentNanos <= to
                        && touched(record, publishedNanos, afterNanos)) {
                    stalls.add(TimeUnit.NANOSECONDS.toMillis(record.ackNanos - record.sentNanos));
                }
            }
        }
        Collections.sort(stalls);
        return stalls;
    }

    /**
     * One line per shard map change published between {@code from} and {@code to}: when, how many requests it
     * touched (in flight at it, or sent within {@code afterNanos} after it) and their worst stall, so that a
     * phase's tail can be told apart by the change that made it.
     */
    private static void printByChange(String tag, ChatLoad load, long from, long to, List<Long> publishedNanos,
            long afterNanos) {
        long wallOffsetMillis = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
        for (long at : publishedNanos) {
            if (at < from || at > to) {
                continue;
            }
            List<Long> stalls = touchedStalls(load, from, to, List.of(at), afterNanos);
            System.out.printf("  %s map published at %s: %d requests touched, stall p50 %d, max %d ms%n", tag,
                    Instant.ofEpochMilli(wallOffsetMillis + TimeUnit.NANOSECONDS.toMillis(at)), stalls.size(),
                    stalls.isEmpty() ? 0 : percentile(stalls, 0.5), stalls.isEmpty() ? 0 : stalls.get(stalls.size() - 1));
        }
    }

    private static boolean touched(SendRecord record, List<Long> publishedNanos, long afterNanos) {
        for (long at : publishedNanos) {
            if (record.sentNanos <= at + afterNanos && record.ackNanos >= at) {
                return true;
            }
        }
        return false;
    }

    private static long percentile(List<Long> sorted, double fraction) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * fraction) - 1));
    }
}
