package io.duet.app.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.account.RefreshTokens.Outcome;
import io.duet.app.storage.SessionRecord;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of a refresh, with the clock as a plain number. */
class RefreshTokensTest {
    private static final long NOW = 1_800_000_000_000L;
    private final SecureRandom random = new SecureRandom();

    private static SessionRecord session(String secret, long expiresAt) {
        return new SessionRecord(7, "session", "phone", RefreshTokens.hash(secret), List.of(), expiresAt);
    }

    @Test
    void aTokenParsesBackToItsUserSessionAndHash() {
        String sessionId = RefreshTokens.newSessionId(random);
        String secret = RefreshTokens.newSecret(random);
        RefreshTokens.Parsed parsed = RefreshTokens.parse(RefreshTokens.format(42, sessionId, secret)).orElseThrow();
        assertThat(parsed.userId()).isEqualTo(42);
        assertThat(parsed.sessionId()).isEqualTo(sessionId);
        assertThat(parsed.hash()).isEqualTo(RefreshTokens.hash(secret));
    }

    @Test
    void malformedTokensDoNotParse() {
        String sessionId = RefreshTokens.newSessionId(random);
        String secret = RefreshTokens.newSecret(random);
        assertThat(RefreshTokens.parse(null)).isEmpty();
        assertThat(RefreshTokens.parse("")).isEmpty();
        assertThat(RefreshTokens.parse("r2.42." + sessionId + "." + secret)).isEmpty();
        assertThat(RefreshTokens.parse("r1.x." + sessionId + "." + secret)).isEmpty();
        assertThat(RefreshTokens.parse("r1.-1." + sessionId + "." + secret)).isEmpty();
        assertThat(RefreshTokens.parse("r1.42." + sessionId + ".short")).isEmpty();
        assertThat(RefreshTokens.parse("r1.42." + sessionId)).isEmpty();
        assertThat(RefreshTokens.parse("r1.42." + sessionId + "." + secret + "x".repeat(300))).isEmpty();
    }

    @Test
    void theCurrentTokenRotatesAndThenCountsAsReused() {
        SessionRecord first = session("one", NOW + 1000);
        assertThat(RefreshTokens.decide(first, RefreshTokens.hash("one"), NOW)).isEqualTo(Outcome.ROTATE);

        SessionRecord second = RefreshTokens.rotated(first, RefreshTokens.hash("two"), NOW + 5000);
        assertThat(second.expiresAtMillis()).isEqualTo(NOW + 5000);
        assertThat(RefreshTokens.decide(second, RefreshTokens.hash("two"), NOW)).isEqualTo(Outcome.ROTATE);
        assertThat(RefreshTokens.decide(second, RefreshTokens.hash("one"), NOW)).isEqualTo(Outcome.REUSED);
        assertThat(RefreshTokens.decide(second, RefreshTokens.hash("never issued"), NOW)).isEqualTo(Outcome.UNKNOWN);
    }

    @Test
    void aSessionPastItsExpiryDoesNotRotate() {
        SessionRecord session = session("one", NOW);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash("one"), NOW - 1)).isEqualTo(Outcome.ROTATE);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash("one"), NOW)).isEqualTo(Outcome.EXPIRED);
    }

    @Test
    void onlyTheLatestUsedTokensAreRemembered() {
        SessionRecord session = session("0", NOW + 1000);
        int rotations = RefreshTokens.REMEMBERED_USED + 4;
        for (int i = 1; i <= rotations; i++) {
            session = RefreshTokens.rotated(session, RefreshTokens.hash(Integer.toString(i)), NOW + 1000);
        }
        assertThat(session.usedHashes()).hasSize(RefreshTokens.REMEMBERED_USED);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash(Integer.toString(rotations)), NOW))
                .isEqualTo(Outcome.ROTATE);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash(Integer.toString(rotations - 1)), NOW))
                .isEqualTo(Outcome.REUSED);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash("4"), NOW)).isEqualTo(Outcome.REUSED);
        assertThat(RefreshTokens.decide(session, RefreshTokens.hash("3"), NOW)).isEqualTo(Outcome.UNKNOWN);
    }
}
