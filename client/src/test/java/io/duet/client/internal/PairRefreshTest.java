package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.internal.SessionLifecycle.PairRefresh;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Session;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * After pairing, a session asks for a token that carries the couple with its access token alone. During a
 * rolling deploy the application server may refuse that: a session holding a refresh token then renews
 * with it, and one without asks again later; it never gives up.
 */
class PairRefreshTest {
    private static final Session WITH_COUPLE = new Session().setToken("t").setCoupleId(7);
    private static final Session WITHOUT_COUPLE = new Session().setToken("t");

    @Test
    void aTokenThatCarriesTheCoupleIsUsed() {
        assertThat(SessionLifecycle.afterPairRefresh(WITH_COUPLE, null, true)).isEqualTo(PairRefresh.USE);
        assertThat(SessionLifecycle.afterPairRefresh(WITH_COUPLE, null, false)).isEqualTo(PairRefresh.USE);
    }

    @Test
    void aRefusedRefreshFallsBackToTheRefreshTokenWhenOneIsHeld() {
        DuetError refused = new DuetError(ErrorCode.UNAUTHENTICATED);
        assertThat(SessionLifecycle.afterPairRefresh(null, refused, true)).isEqualTo(PairRefresh.RENEW);
        assertThat(SessionLifecycle.afterPairRefresh(null, new TimeoutException(), true)).isEqualTo(PairRefresh.RENEW);
        assertThat(SessionLifecycle.afterPairRefresh(WITHOUT_COUPLE, null, true)).isEqualTo(PairRefresh.RENEW);
    }

    @Test
    void withoutARefreshTokenItIsTriedAgainLater() {
        DuetError refused = new DuetError(ErrorCode.UNAUTHENTICATED);
        assertThat(SessionLifecycle.afterPairRefresh(null, refused, false)).isEqualTo(PairRefresh.RETRY);
        assertThat(SessionLifecycle.afterPairRefresh(WITHOUT_COUPLE, null, false)).isEqualTo(PairRefresh.RETRY);
    }
}
