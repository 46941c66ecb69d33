package io.duet.app.storage;

/** An invite row: who invited, the couple id reserved for the pairing, and who accepted it. */
public final class InviteRecord {
    /** Where a pairing through this invite stands. */
    public enum State {
        /** Created, or accepted and in progress. */
        OPEN,
        /** The couple exists. */
        COMPLETED,
        /** The pairing was rolled back (the inviter had paired with someone else); the invite is dead. */
        ABORTED
    }

    private final String code;
    private final long inviterId;
    private final long coupleId;
    private final long expiresAtMillis;
    private final long acceptorId;
    private final State state;

    InviteRecord(String code, long inviterId, long coupleId, long expiresAtMillis, long acceptorId, State state) {
        this.code = code;
        this.inviterId = inviterId;
        this.coupleId = coupleId;
        this.expiresAtMillis = expiresAtMillis;
        this.acceptorId = acceptorId;
        this.state = state;
    }

    public String code() {
        return code;
    }

    public long inviterId() {
        return inviterId;
    }

    public long coupleId() {
        return coupleId;
    }

    public long expiresAtMillis() {
        return expiresAtMillis;
    }

    /** 0 until someone accepts. */
    public long acceptorId() {
        return acceptorId;
    }

    public State state() {
        return state;
    }
}
