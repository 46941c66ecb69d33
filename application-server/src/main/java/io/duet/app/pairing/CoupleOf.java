package io.duet.app.pairing;

/** The couple a user belongs to, and the partner; {@link #NONE} for an unpaired user. */
public final class CoupleOf {
    public static final CoupleOf NONE = new CoupleOf(0, 0);

    private final long coupleId;
    private final long partnerId;

    CoupleOf(long coupleId, long partnerId) {
        this.coupleId = coupleId;
        this.partnerId = partnerId;
    }

    public long coupleId() {
        return coupleId;
    }

    public long partnerId() {
        return partnerId;
    }

    public boolean isPaired() {
        return coupleId != 0;
    }
}
