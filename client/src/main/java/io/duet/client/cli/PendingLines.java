package io.duet.client.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The lines the user typed that are not yet acknowledged, in the order typed: what {@code /pending}
 * lists and what quitting waits for, then reports. Thread-safe: lines are added by the input thread and
 * settled by the SDK's callbacks.
 */
final class PendingLines {
    /** How many unsent lines a report quotes; it counts the rest. */
    static final int REPORT_LIMIT = 10;
    /** How much of a line a report quotes. */
    private static final int QUOTE_CHARS = 60;

    private final Map<Long, String> lines = new LinkedHashMap<>();
    private long nextId;
    /** When a line was last settled (sent or failed), by {@link System#nanoTime()}: progress, for draining. */
    private long lastSettledNanos = System.nanoTime();
    private boolean stopWaiting;

    /** Adds a typed line; returns its id, to settle it with. */
    synchronized long add(String text) {
        long id = nextId++;
        lines.put(id, text);
        return id;
    }

    /** The line was sent, or failed for good and was reported: it is no longer pending. */
    synchronized void settle(long id) {
        if (lines.remove(id) != null) {
            lastSettledNanos = System.nanoTime();
            notifyAll();
        }
    }

    synchronized int count() {
        return lines.size();
    }

    /**
     * Waits until no line is pending, giving up when none has been settled for {@code idle} (nothing is
     * getting through), after {@code cap} in all (plenty gets through, but too slowly to wait for), or
     * when told to {@link #stopWaiting}.
     *
     * @return whether every line was settled
     */
    synchronized boolean awaitSettled(Duration idle, Duration cap) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + cap.toNanos();
        while (!lines.isEmpty() && !stopWaiting) {
            long giveUpAt = Math.min(deadline, Math.max(lastSettledNanos, start) + idle.toNanos());
            long left = giveUpAt - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return lines.isEmpty();
    }

    /** Ends {@link #awaitSettled}, now and for good (the user will not wait). */
    synchronized void stopWaiting() {
        stopWaiting = true;
        notifyAll();
    }

    /** The {@code /pending} answer. */
    synchronized String describe() {
        if (lines.isEmpty()) {
            return "(nothing waiting: every message you typed was sent)";
        }
        return "(" + ConnectionNotices.messages(lines.size()) + " waiting to be sent:" + quoted() + ")";
    }

    /** The report when the chat ends with lines still pending; empty when none is. */
    synchronized String unsentReport() {
        if (lines.isEmpty()) {
            return "";
        }
        return ConnectionNotices.messages(lines.size()) + (lines.size() == 1 ? " was" : " were") + " not sent:"
                + quoted();
    }

    private String quoted() {
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (String line : lines.values()) {
            if (shown++ == REPORT_LIMIT) {
                text.append("\n  ... and ").append(lines.size() - REPORT_LIMIT).append(" more");
                break;
            }
            text.append("\n  ").append(quote(line));
        }
        return text.toString();
    }

    /** A line as a report shows it: at most {@link #QUOTE_CHARS} characters. */
    static String quote(String line) {
        return line.length() <= QUOTE_CHARS ? line : line.substring(0, QUOTE_CHARS - 3) + "...";
    }
}
