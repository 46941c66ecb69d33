package io.duet.client;

/** A call that failed outside the API's own {@code DuetError}: a lost session, a timeout, a protocol fault. */
public class DuetClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DuetClientException(String message) {
        super(message);
    }

    public DuetClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
