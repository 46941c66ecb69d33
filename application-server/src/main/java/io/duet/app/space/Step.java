package io.duet.app.space;

import io.duet.protocol.api.Event;
import java.util.concurrent.CompletableFuture;

/**
 * What one space operation comes to: a result at once (a read), a read of HBase to wait for first and
 * the step that follows from it ({@link #after}), or one write under the owner's fence first (a cell of the
 * couple's space, or rows of the photos table), and what to change in memory and tell the couple's
 * sessions once it is written.
 *
 * @param <T> the operation's result
 */
public final class Step<T> {
    private final T result;
    private final byte[] qualifier;
    private final byte[] value;
    private final Write write;
    private final Runnable apply;
    private final Event event;
    private final Later<?, T> later;

    /** A write of rows outside the couple row, under the owner's fence. */
    @FunctionalInterface
    public interface Write {
        CompletableFuture<Void> write(long fence);
    }

    /** What follows a read, given what it read; run on the couple's executor. */
    @FunctionalInterface
    public interface Then<R, T> {
        Step<T> apply(R read) throws Exception;
    }

    private Step(T result, byte[] qualifier, byte[] value, Write write, Runnable apply, Event event, Later<?, T> later) {
        this.result = result;
        this.qualifier = qualifier;
        this.value = value;
        this.write = write;
        this.apply = apply;
        this.event = event;
        this.later = later;
    }

    static <T> Step<T> done(T result) {
        return new Step<>(result, null, null, null, null, null, null);
    }

    /** Writes {@code value} (null: deletes the cell), then runs {@code apply} and pushes {@code event}. */
    static <T> Step<T> write(byte[] qualifier, byte[] value, Runnable apply, T result, Event event) {
        return new Step<>(result, qualifier, value, null, apply, event, null);
    }

    /** Runs {@code write}, then {@code apply}, and pushes {@code event}. */
    static <T> Step<T> write(Write write, Runnable apply, T result, Event event) {
        return new Step<>(result, null, null, write, apply, event, null);
    }

    /** Waits for {@code read}, then goes on with the step {@code then} makes of it, on the couple's executor. */
    static <R, T> Step<T> after(CompletableFuture<R> read, Then<R, T> then) {
        return new Step<>(null, null, null, null, null, null, new Later<>(read, then));
    }

    public boolean writes() {
        return qualifier != null || write != null;
    }

    /** Whether this step waits for a read first ({@link #next}). */
    public boolean reads() {
        return later != null;
    }

    /** The read to wait for, completing with the step that follows it (run that on the couple's executor). */
    public CompletableFuture<Next<T>> next() {
        return later.next();
    }

    public T result() {
        return result;
    }

    /** The space qualifier to write; null when this step writes other rows ({@link #write(long)}). */
    public byte[] qualifier() {
        return qualifier;
    }

    /** The cell's new value; null to delete it. */
    public byte[] value() {
        return value;
    }

    /** Writes this step's rows outside the couple row under {@code fence}; only when {@link #qualifier()} is null. */
    public CompletableFuture<Void> write(long fence) {
        return write.write(fence);
    }

    /** Once written: applies the change to memory. */
    public void apply() {
        apply.run();
    }

    /** The event for the couple's sessions, once written. */
    public Event event() {
        return event;
    }

    /** The step after a read, made on the couple's executor. */
    @FunctionalInterface
    public interface Next<T> {
        Step<T> make() throws Exception;
    }

    private static final class Later<R, T> {
        final CompletableFuture<R> read;
        final Then<R, T> then;

        Later(CompletableFuture<R> read, Then<R, T> then) {
            this.read = read;
            this.then = then;
        }

        CompletableFuture<Next<T>> next() {
            return read.thenApply(value -> () -> then.apply(value));
        }
    }
}
