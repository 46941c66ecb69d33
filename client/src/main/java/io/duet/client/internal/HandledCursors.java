package io.duet.client.internal;

/**
 * The cursors the application persists and resumes from ({@code DuetClient.lastSeq()} / {@code lastChange()}):
 * how far the listener has <em>handled</em> the events, as opposed to how far {@link Delivery} has handed them
 * over. A cursor moves only once the listener returned for the event that moves it, so that an app that
 * dies, or a listener that throws, before an event is handled gets it again when it resumes.
 *
 * <p>Once the listener throws, the cursors stop (later events, handled or not, do not move them past the
 * one that failed) until {@link Delivery} resubscribes from them: it rewinds what it handed over to these
 * cursors, so that the server replays from the event that failed, and posts {@link #replayStarts()} behind
 * the events already handed over, from which on the cursors move again.
 *
 * <p>Written on the SDK's callback thread only (where the listener runs); read from any thread.
 */
final class HandledCursors {
    private volatile long seq;
    private volatile long change;
    /** The listener threw since the last rewind: the cursors stay where they are. */
    private volatile boolean stopped;

    HandledCursors(long seq, long change) {
        this.seq = seq;
        this.change = change;
    }

    long seq() {
        return seq;
    }

    long change() {
        return change;
    }

    /** Whether the listener threw since the last rewind (the next subscribe must replay from the cursors). */
    boolean stopped() {
        return stopped;
    }

    /** Before the session starts: the app already applied the changes up to {@code change}. */
    void startChangesAfter(long change) {
        this.change = change;
    }

    /**
     * Callback thread: the listener returned ({@code normally}) or threw for an event that brings the cursors
     * to {@code seq} and {@code change} (0: that cursor does not move).
     */
    void handled(long seq, long change, boolean normally) {
        if (!normally) {
            stopped = true;
        }
        if (stopped) {
            return;
        }
        if (seq > this.seq) {
            this.seq = seq;
        }
        if (change > this.change) {
            this.change = change;
        }
    }

    /**
     * Callback thread: the listener was told that the server no longer keeps the changes after the change
     * cursor; it starts again at {@code change}, which may be lower (a cursor the server could not vouch for).
     */
    void changesRestart(long change, boolean normally) {
        if (!normally) {
            stopped = true;
        }
        if (!stopped) {
            this.change = change;
        }
    }

    /** Callback thread, after every event handed over before a rewind: the replay starts, the cursors move again. */
    void replayStarts() {
        stopped = false;
    }
}
