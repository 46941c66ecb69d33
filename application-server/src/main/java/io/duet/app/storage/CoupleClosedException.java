package io.duet.app.storage;

/** The couple was closed (unpaired, or a partner's account deleted): nobody may load or write it again. */
public final class CoupleClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CoupleClosedException(long coupleId) {
        super("couple " + coupleId + " was closed");
    }
}
