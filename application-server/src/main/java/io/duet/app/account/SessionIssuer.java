package io.duet.app.account;

import io.duet.protocol.api.Session;
import io.duet.protocol.api.UserProfile;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import java.time.Clock;
import java.time.Duration;

/**
 * Issues access tokens: short-lived, for one device session, never outliving it. A token carries a
 * couple only once the couple's row exists.
 */
public final class SessionIssuer {
    private final TokenCodec tokens;
    private final Duration lifetime;
    private final Clock clock;

    public SessionIssuer(TokenCodec tokens, Duration lifetime, Clock clock) {
        this.tokens = tokens;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /**
     * @param coupleId 0 for a user who is not (yet) paired
     * @param partner null when unpaired
     */
    public Session issue(UserProfile self, long coupleId, DeviceSessions.Renewal device, UserProfile partner) {
        long now = clock.millis();
        long expires = Math.min(now + lifetime.toMillis(), device.expiresAtMillis());
        String token = tokens.issue(new TokenClaims()
                .setUserId(self.getUserId())
                .setCoupleId(coupleId)
                .setDeviceId(device.deviceId())
                .setSessionId(device.sessionId())
                .setIssuedAtMillis(now)
                .setExpiresAtMillis(expires));
        Session session = new Session().setToken(token).setUserId(self.getUserId()).setExpiresAtMillis(expires)
                .setMe(self);
        if (device.refreshToken() != null) {
            session.setRefreshToken(device.refreshToken()).setRefreshExpiresAtMillis(device.expiresAtMillis());
        }
        if (coupleId != 0) {
            session.setCoupleId(coupleId);
            if (partner != null) {
                session.setPartner(partner);
            }
        }
        return session;
    }
}
