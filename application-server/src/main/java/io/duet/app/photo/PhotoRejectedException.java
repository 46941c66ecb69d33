package io.duet.app.photo;

/** The uploaded bytes are not a photo the server takes; the message says why, for the client. */
public final class PhotoRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PhotoRejectedException(String message) {
        super(message, null, false, false);
    }
}
