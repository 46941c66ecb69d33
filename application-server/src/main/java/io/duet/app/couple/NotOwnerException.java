package io.duet.app.couple;

/**
 * This server does not own the couple's shard (any more), or cannot write it right now. One made by {@link
 * #beforeRunning} says more: the call it fails never started here, so the couple's owner may run it as it is.
 */
public final class NotOwnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean beforeRunning;

    public NotOwnerException(String message) {
        this(message, false);
    }

    private NotOwnerException(String message, boolean beforeRunning) {
        super(message);
        this.beforeRunning = beforeRunning;
    }

    /** Refuses a call that has not started here: nothing of it was done, so sending it elsewhere runs it once. */
    public static NotOwnerException beforeRunning(String message) {
        return new NotOwnerException(message, true);
    }

    /** Whether the call was refused before it started (see {@link #beforeRunning}). */
    public boolean isBeforeRunning() {
        return beforeRunning;
    }
}
