package io.duet.app.space;

import io.duet.protocol.api.Event;

/**
 * What one space operation comes to: a result at once (a read), or one cell of the couple's space to write
 * (or delete) first, and what to change in memory and tell the couple's sessions once it is written.
 *
 * @param <T> the operation's result
 */
public final class Step<T> {
    private final T result;
    private final byte[] qualifier;
    private final byte[] value;
    private final Runnable apply;
    private final Event event;

    private Step(T result, byte[] qualifier, byte[] value, Runnable apply, Event event) {
        this.result = result;
        this.qualifier = qualifier;
        this.value = value;
        this.apply = apply;
        this.event = event;
    }

    static <T> Step<T> done(T result) {
        return new Step<>(result, null, null, null, null);
    }

    /** Writes {@code value} (null: deletes the cell), then runs {@code apply} and pushes {@code event}. */
    static <T> Step<T> write(byte[] qualifier, byte[] value, Runnable apply, T result, Event event) {
        return new Step<>(result, qualifier, value, apply, event);
    }

    public boolean writes() {
        return qualifier != null;
    }

    public T result() {
        return result;
    }

    /** The space qualifier to write. */
    public byte[] qualifier() {
        return qualifier;
    }

    /** The cell's new value; null to delete it. */
    public byte[] value() {
        return value;
    }

    /** Once written: applies the change to memory. */
    public void apply() {
        apply.run();
    }

    /** The event for the couple's sessions, once written. */
    public Event event() {
        return event;
    }
}
