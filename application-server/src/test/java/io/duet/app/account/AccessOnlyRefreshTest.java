package io.duet.app.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.rpc.Caller;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.UserProfile;
import io.duet.protocol.token.TokenCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A refresh without a refresh token keeps the presented token's expiry: an access token cannot renew itself. */
class AccessOnlyRefreshTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private static final Duration ACCESS_LIFETIME = Duration.ofMinutes(15);

    private final TokenCodec tokens = TokenCodec.create("0123456789abcdef0123456789abcdef-test", List.of(), CLOCK);
    private final SessionIssuer issuer = new SessionIssuer(tokens, ACCESS_LIFETIME, CLOCK);

    @Test
    void aTokenIssuedWithoutARefreshTokenExpiresWhenThePresentedOneDoes() throws Exception {
        long presentedExpiry = NOW + 60_000;
        DeviceSessions.Renewal live = new DeviceSessions.Renewal(7, "session", "phone", NOW + Duration.ofDays(30).toMillis(),
                null);
        Caller caller = Caller.of(7, 0, "phone", "session", "", presentedExpiry);

        Session session = issuer.issue(new UserProfile(7, "Ann"), 42, Accounts.keepingTokenExpiry(live, caller), null);

        assertThat(session.getExpiresAtMillis()).isEqualTo(presentedExpiry);
        assertThat(tokens.verify(session.getToken()).getExpiresAtMillis()).isEqualTo(presentedExpiry);
        assertThat(tokens.verify(session.getToken()).getCoupleId()).isEqualTo(42);
        assertThat(session.isSetRefreshToken()).isFalse();
    }

    @Test
    void theDeviceSessionStillCapsIt() {
        DeviceSessions.Renewal live = new DeviceSessions.Renewal(7, "session", "phone", NOW + 1_000, null);
        Caller caller = Caller.of(7, 0, "phone", "session", "", NOW + 60_000);
        assertThat(Accounts.keepingTokenExpiry(live, caller).expiresAtMillis()).isEqualTo(NOW + 1_000);
    }
}
