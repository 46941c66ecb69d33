package io.duet.app.storage;

/** A user row. {@code coupleId} is 0 while unpaired; see {@link UserStore#bindCouple}. */
public final class UserRecord {
    private final long userId;
    private final String email;
    private final String displayName;
    private final long coupleId;
    private final String pairingInvite;

    UserRecord(long userId, String email, String displayName, long coupleId, String pairingInvite) {
        this.userId = userId;
        this.email = email;
        this.displayName = displayName;
        this.coupleId = coupleId;
        this.pairingInvite = pairingInvite;
    }

    public long userId() {
        return userId;
    }

    public String email() {
        return email;
    }

    public String displayName() {
        return displayName;
    }

    /** The couple this user is bound to, possibly by a pairing still in progress; 0 for none. */
    public long coupleId() {
        return coupleId;
    }

    /** The invite code of the pairing that bound {@link #coupleId()}, or null. */
    public String pairingInvite() {
        return pairingInvite;
    }
}
