package io.duet.app.couple;

/** This server does not own the couple's shard (any more), or cannot write it right now. */
public final class NotOwnerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotOwnerException(String message) {
        super(message);
    }
}
