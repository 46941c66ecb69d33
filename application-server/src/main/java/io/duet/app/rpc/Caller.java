package io.duet.app.rpc;

/**
 * Who makes a call, as verified from the token by the presentation server; anonymous when userId is 0.
 * Also where from: the key of the client's source address (see {@link io.duet.app.limits.SourceAddress}),
 * "" when unknown.
 */
public final class Caller {
    private static final Caller ANONYMOUS = new Caller(0, 0, "", null, "", 0);

    private final long userId;
    private final long coupleId;
    private final String deviceId;
    private final String sessionId;
    private final String sourceAddress;
    private final long tokenExpiresAtMillis;

    private Caller(long userId, long coupleId, String deviceId, String sessionId, String sourceAddress,
            long tokenExpiresAtMillis) {
        this.userId = userId;
        this.coupleId = coupleId;
        this.deviceId = deviceId;
        this.sessionId = sessionId;
        this.sourceAddress = sourceAddress;
        this.tokenExpiresAtMillis = tokenExpiresAtMillis;
    }

    public static Caller of(long userId, long coupleId, String deviceId) {
        return of(userId, coupleId, deviceId, null, "");
    }

    /**
     * @param sessionId the device session of the caller's token; null for tokens from before sessions had ids
     * @param sourceAddress the key of the client's source address ({@code SourceAddress}); "" when unknown
     */
    public static Caller of(long userId, long coupleId, String deviceId, String sessionId, String sourceAddress) {
        return of(userId, coupleId, deviceId, sessionId, sourceAddress, 0);
    }

    /**
     * @param tokenExpiresAtMillis when the caller's token expires; 0 when unknown (a presentation server
     *     that does not say)
     */
    public static Caller of(long userId, long coupleId, String deviceId, String sessionId, String sourceAddress,
            long tokenExpiresAtMillis) {
        String address = sourceAddress == null ? "" : sourceAddress;
        if (userId == 0) {
            return address.isEmpty() ? ANONYMOUS : new Caller(0, 0, "", null, address, 0);
        }
        return new Caller(userId, coupleId, deviceId == null ? "" : deviceId, sessionId, address,
                Math.max(0, tokenExpiresAtMillis));
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

    /** The key of the client's source address, for per-address limits; "" when unknown. */
    public String sourceAddress() {
        return sourceAddress;
    }

    /** The device session of the caller's token, or null (a token from before sessions had ids). */
    public String sessionId() {
        return sessionId;
    }

    /** When the caller's token expires; 0 when unknown. */
    public long tokenExpiresAtMillis() {
        return tokenExpiresAtMillis;
    }

    @Override
    public String toString() {
        return isAuthenticated() ? "user " + userId + (isPaired() ? " of couple " + coupleId : "") : "anonymous";
    }
}
