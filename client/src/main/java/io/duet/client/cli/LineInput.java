package io.duet.client.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lines of input (a pipe, a script) read on a daemon thread of their own into a bounded queue, so that
 * the chat can wait for the next line and still notice, between lines, that it was asked to quit (a
 * blocking read of standard input cannot be interrupted). When the queue is full the reader waits: the
 * input is read no faster than the chat takes it.
 */
final class LineInput {
    private static final int QUEUE_LINES = 256;
    /** Stands for the end of input (or an error reading it) in the queue. */
    private static final String END = new String("end of input");

    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_LINES);
    private volatile String endReason = "";
    /** Confined to the thread that polls. */
    private boolean ended;

    private LineInput() {
    }

    /** Starts reading {@code in}; the reading thread ends at the end of input, and never holds up the JVM. */
    static LineInput start(InputStream in) {
        LineInput input = new LineInput();
        Thread reader = new Thread(() -> input.readAll(in), "duet-chat-input");
        reader.setDaemon(true);
        reader.start();
        return input;
    }

    private void readAll(InputStream in) {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                queue.put(line);
            }
        } catch (IOException e) {
            endReason = "cannot read the input: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The next line, waiting up to {@code timeout}; {@code null} when none came in time or the input has
     * ended ({@link #atEnd}). Called by one thread.
     */
    String poll(Duration timeout) throws InterruptedException {
        if (ended) {
            return null;
        }
        String line = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == END) {
            ended = true;
            return null;
        }
        return line;
    }

    /** Whether {@link #poll} has reached the end of input. */
    boolean atEnd() {
        return ended;
    }

    /** Why the input ended early (a read error), or "" at a plain end of input or before the end. */
    String endReason() {
        return endReason;
    }
}
