package io.duet.app.rpc;

/** Who makes a call, as verified from the token by the presentation server; anonymous when userId is 0. */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(0, 0, "", null);

    private final long userId;
    private final long coupleId;
    private final String deviceId;
    private final String sessionId;

    private Caller(long userId, long coupleId, String deviceId, String sessionId) {
        this.userId = userId;
        this.coupleId = coupleId;
        this.deviceId = deviceId;
        this.sessionId = sessionId;
    }

    public static Caller of(long userId, long coupleId, String deviceId) {
        return of(userId, coupleId, deviceId, null);
    }

    /** @param sessionId the device session of the caller's token; null for tokens from before sessions had ids */
    public static Caller of(long userId, long coupleId, String deviceId, String sessionId) {
        return userId == 0 ? ANONYMOUS : new Caller(userId, coupleId, deviceId == null ? "" : deviceId, sessionId);
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

    /** The device session of the caller's token, or null (a token from before sessions had ids). */
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String toString() {
        return isAuthenticated() ? "user " + userId + (isPaired() ? " of couple " + coupleId : "") : "anonymous";
    }
}
