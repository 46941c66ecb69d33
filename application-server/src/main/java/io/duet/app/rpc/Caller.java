package io.duet.app.rpc;

/** Who makes a call, as verified from the token by the presentation server; anonymous when userId is 0. */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(0, 0, "");

    private final long userId;
    private final long coupleId;
    private final String deviceId;

    private Caller(long userId, long coupleId, String deviceId) {
        this.userId = userId;
        this.coupleId = coupleId;
        this.deviceId = deviceId;
    }

    public static Caller of(long userId, long coupleId, String deviceId) {
        return userId == 0 ? ANONYMOUS : new Caller(userId, coupleId, deviceId == null ? "" : deviceId);
    }

    public static Caller anonymous() {
        return ANONYMOUS;
    }

    public boolean isAuthenticated() {
        return userId != 0;
    }

    public long userId() {
        return userId;
    }

    /** 0 when the caller's token carries no couple. */
    public long coupleId() {
        return coupleId;
    }

    public boolean isPaired() {
        return coupleId != 0;
    }

    public String deviceId() {
        return deviceId;
    }

    @Override
    public String toString() {
        return isAuthenticated() ? "user " + userId + (isPaired() ? " of couple " + coupleId : "") : "anonymous";
    }
}
