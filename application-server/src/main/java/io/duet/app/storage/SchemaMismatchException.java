package io.duet.app.storage;

/**
 * An existing table is not as this server's settings need it, in a way it must not change by itself: the
 * server does not start.
 */
public final class SchemaMismatchException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SchemaMismatchException(String message) {
        super(message);
    }
}
