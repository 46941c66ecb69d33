package io.duet.app.storage;

/** No couple row with this id: the couple was never created (or the id is forged). */
public final class CoupleNotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CoupleNotFoundException(long coupleId) {
        super("no couple " + coupleId);
    }
}
