package io.duet.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCodecTest {
    private static final String SECRET = "a-cluster-secret-of-at-least-32-bytes!!";
    private static final String OTHER_SECRET = "another-cluster-secret-at-least-32-bytes";
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final TokenCodec codec = TokenCodec.create(SECRET, List.of(), clock);

    private TokenClaims claims(long expiresAt) {
        return new TokenClaims().setUserId(11).setCoupleId(22).setDeviceId("phone")
                .setIssuedAtMillis(NOW.toEpochMilli()).setExpiresAtMillis(expiresAt);
    }

    @Test
    void verifiesWhatItIssues() throws Exception {
        TokenClaims claims = claims(NOW.toEpochMilli() + 60_000);
        assertThat(codec.verify(codec.issue(claims))).isEqualTo(claims);
    }

    @Test
    void rejectsExpiredToken() {
        String token = codec.issue(claims(NOW.toEpochMilli() - 1));
        assertThatThrownBy(() -> codec.verify(token))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.EXPIRED));
    }

    @Test
    void rejectsTokenWithAlteredClaims() {
        String token = codec.issue(claims(NOW.toEpochMilli() + 60_000));
        String[] parts = token.split("\\.");
        String forgedClaims = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                io.duet.protocol.thrift.ThriftCodec.INTERNAL.encode(claims(NOW.toEpochMilli() + 60_000).setCoupleId(99)));
        String forged = parts[0] + '.' + parts[1] + '.' + forgedClaims + '.' + parts[3];
        assertThatThrownBy(() -> codec.verify(forged))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_SIGNATURE));
    }

    @Test
    void rejectsTokenSignedWithAnotherSecret() {
        String foreign = TokenCodec.create(OTHER_SECRET, List.of(), clock).issue(claims(NOW.toEpochMilli() + 60_000));
        assertThatThrownBy(() -> codec.verify(foreign))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNKNOWN_KEY));
    }

    @Test
    void previousSecretStillVerifiesDuringRotation() throws Exception {
        String old = TokenCodec.create(OTHER_SECRET, List.of(), clock).issue(claims(NOW.toEpochMilli() + 60_000));
        TokenCodec rotated = TokenCodec.create(SECRET, List.of(OTHER_SECRET), clock);
        assertThat(rotated.verify(old).getUserId()).isEqualTo(11);
    }

    @Test
    void rejectsMalformedAndOversizedTokens() {
        for (String bad : new String[] {"", "garbage", "v1.x.y", "v2.a.b.c", "v1.%%%.b.c", "x".repeat(5000)}) {
            assertThatThrownBy(() -> codec.verify(bad)).as(bad.length() > 20 ? "long token" : bad)
                    .isInstanceOf(TokenException.class);
        }
    }

    @Test
    void refusesShortSecrets() {
        assertThatThrownBy(() -> TokenCodec.create("short", List.of(), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: >= 32");
    }
}
