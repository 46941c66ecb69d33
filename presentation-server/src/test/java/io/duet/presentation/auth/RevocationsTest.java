package io.duet.presentation.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.relay.Revocation;
import io.duet.protocol.token.TokenClaims;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RevocationsTest {
    private static final long T = 1_800_000_000_000L;
    private long now = T;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }
    };
    private final Revocations revocations = new Revocations(clock);

    private static TokenClaims token(long userId, String sessionId, long issuedAt) {
        TokenClaims claims = new TokenClaims(userId, 0, "phone", issuedAt, issuedAt + 60_000);
        return sessionId == null ? claims : claims.setSessionId(sessionId);
    }

    @Test
    void aSessionRevocationRefusesEveryTokenOfThatSessionOnly() {
        revocations.add(new Revocation().setUserId(7).setSessionId("a").setRevokedAtMillis(T)
                .setForgetAfterMillis(T + 60_000));
        assertThat(revocations.isRevoked(token(7, "a", T - 10))).isTrue();
        assertThat(revocations.isRevoked(token(7, "a", T + 10))).isTrue();
        assertThat(revocations.isRevoked(token(7, "b", T - 10))).isFalse();
        assertThat(revocations.isRevoked(token(8, "a", T - 10))).isFalse();
        assertThat(revocations.isRevoked(token(7, null, T - 10))).isFalse();
    }

    @Test
    void anEverySessionRevocationRefusesTokensIssuedUpToItsInstant() {
        revocations.add(new Revocation().setUserId(7).setRevokedAtMillis(T).setForgetAfterMillis(T + 60_000));
        assertThat(revocations.isRevoked(token(7, "a", T))).isTrue();
        assertThat(revocations.isRevoked(token(7, null, T - 5))).as("tokens without a session too").isTrue();
        assertThat(revocations.isRevoked(token(7, "a", T + 1))).as("a log-in after it").isFalse();
        assertThat(revocations.isRevoked(token(8, "a", T))).isFalse();
        assertThat(Revocations.matches(new Revocation().setUserId(7).setRevokedAtMillis(T), token(7, "z", T))).isTrue();
    }

    @Test
    void revocationsAreForgottenOnceNoTokenTheyMatchIsValid() {
        revocations.add(new Revocation().setUserId(7).setSessionId("a").setRevokedAtMillis(T)
                .setForgetAfterMillis(T + 1000));
        revocations.add(new Revocation().setUserId(8).setRevokedAtMillis(T).setForgetAfterMillis(T + 1000));
        assertThat(revocations.size()).isEqualTo(2);
        now = T + 1001;
        revocations.add(new Revocation().setUserId(9).setRevokedAtMillis(now).setForgetAfterMillis(now + 1000));
        assertThat(revocations.size()).isEqualTo(1);
    }
}
