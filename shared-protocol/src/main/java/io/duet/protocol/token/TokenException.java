package io.duet.protocol.token;

/** A token that cannot be trusted, and why. The message never contains the token itself. */
public final class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a token was rejected. */
    public enum Reason {
        /** Not a token of this format, or too long. */
        MALFORMED,
        /** Signed with a key this cluster does not have (rotated out, or forged). */
        UNKNOWN_KEY,
        /** The signature does not match: forged or altered. */
        BAD_SIGNATURE,
        /** Past its expiry. */
        EXPIRED,
        /** Valid, but its session was logged out or its refresh token reused. */
        REVOKED
    }

    private final Reason reason;

    public TokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
