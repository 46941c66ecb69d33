package io.duet.app.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock moved by the test. */
    private static final class FakeTime implements TimeMeter {
        long nanos = TimeUnit.HOURS.toNanos(1);

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }

        void advance(Duration duration) {
            nanos += duration.toNanos();
        }
    }

    private final FakeTime time = new FakeTime();

    private RateLimiter limiter(Limit limit, Rate rate) {
        return new RateLimiter(RateLimits.builder().rate(limit, rate).build(), time);
    }

    @Test
    void allowsTheBurstThenRefusesWithTheWaitUntilTheNextToken() {
        RateLimiter limiter = limiter(Limit.LOG_IN_PER_ADDRESS, Rate.of(3, Duration.ofMinutes(1)));
        for (int i = 0; i < 3; i++) {
            assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7")).isNull();
        }
        DuetError refused = limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7");
        assertThat((Object) refused).isNotNull();
        assertThat(refused.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        // One token every 20 s.
        assertThat(refused.getRetryAfterMillis()).isEqualTo(20_000);
        assertThat(refused.getMessage()).contains("log-in attempts from this address");
        assertThat(limiter.refusals(Limit.LOG_IN_PER_ADDRESS)).isEqualTo(1);

        time.advance(Duration.ofSeconds(19));
        assertThat(limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7").getRetryAfterMillis()).isEqualTo(1_000);
        time.advance(Duration.ofSeconds(1));
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7")).isNotNull();
    }

    @Test
    void keysAndLimitsAreCountedApart() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder()
                .rate(Limit.LOG_IN_PER_ADDRESS, Rate.of(1, Duration.ofMinutes(1)))
                .rate(Limit.SIGN_UP_PER_ADDRESS, Rate.of(1, Duration.ofMinutes(1)))
                .build(), time);
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.7")).isNotNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "203.0.113.8")).isNull();
        assertThat((Object) limiter.refusal(Limit.SIGN_UP_PER_ADDRESS, "203.0.113.7")).isNull();
    }

    @Test
    void theFirstRefusalOfSeveralLimitsIsAnswered() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder()
                .rate(Limit.LOG_IN_PER_ADDRESS, Rate.of(100, Duration.ofMinutes(1)))
                .rate(Limit.LOG_IN_PER_ACCOUNT, Rate.of(2, Duration.ofHours(1)))
                .build(), time);
        // One account guessed from many addresses: the per-account limit holds.
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "a", Limit.LOG_IN_PER_ACCOUNT, "ann@example.com")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "b", Limit.LOG_IN_PER_ACCOUNT, "ann@example.com")).isNull();
        DuetError refused = limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "c", Limit.LOG_IN_PER_ACCOUNT, "ann@example.com");
        assertThat(refused.getMessage()).contains("for this account");
        assertThat(refused.getRetryAfterMillis()).isEqualTo(30 * 60 * 1000);
        // Another account from the same addresses is still fine.
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "c", Limit.LOG_IN_PER_ACCOUNT, "bob@example.com")).isNull();
    }

    @Test
    void anUnknownAddressIsNotLimited() {
        RateLimiter limiter = limiter(Limit.SIGN_UP_PER_ADDRESS, Rate.of(1, Duration.ofHours(1)));
        for (int i = 0; i < 10; i++) {
            assertThat((Object) limiter.refusal(Limit.SIGN_UP_PER_ADDRESS, "")).isNull();
            assertThat((Object) limiter.refusal(Limit.SIGN_UP_PER_ADDRESS, null)).isNull();
        }
    }

    @Test
    void exemptAddressesSkipOnlyPerAddressLimits() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder()
                .rate(Limit.LOG_IN_PER_ADDRESS, Rate.of(1, Duration.ofMinutes(1)))
                .rate(Limit.LOG_IN_PER_ACCOUNT, Rate.of(1, Duration.ofMinutes(1)))
                .exemptAddresses(io.duet.net.AddressRanges.parse(java.util.List.of("10.0.0.1", "10.9.0.0/16",
                        "2001:db8:1::/48")))
                .build(), time);
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "10.0.0.1")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "10.0.0.1")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "10.0.0.2")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, "10.0.0.2")).isNotNull();
        for (String exempt : new String[] {"10.9.200.1", SourceAddress.keyOf("/[2001:db8:1:2:0:0:0:9]:4000")}) {
            assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, exempt)).as(exempt).isNull();
            assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, exempt)).as(exempt).isNull();
        }
        String other = SourceAddress.keyOf("/[2001:db8:2:0:0:0:0:9]:4000");
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, other)).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ADDRESS, other)).isNotNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ACCOUNT, "10.0.0.1")).isNull();
        assertThat((Object) limiter.refusal(Limit.LOG_IN_PER_ACCOUNT, "10.0.0.1")).isNotNull();
    }

    @Test
    void bucketsAreForgottenOnceFullAgainAndNeverExceedTheBound() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder()
                .rate(Limit.TYPING_PER_DEVICE, Rate.of(1, Duration.ofSeconds(1)))
                .maxTrackedKeys(100)
                .build(), time);
        for (int i = 0; i < 10_000; i++) {
            limiter.refusal(Limit.TYPING_PER_DEVICE, "device-" + i);
        }
        assertThat(limiter.trackedKeys(Limit.TYPING_PER_DEVICE)).isLessThanOrEqualTo(100);
        time.advance(Duration.ofSeconds(2));
        limiter.refusal(Limit.TYPING_PER_DEVICE, "one more");
        assertThat((Object) limiter.refusal(Limit.TYPING_PER_DEVICE, "device-9999")).isNull();
    }

    @Test
    void defaultsLetAPhoneSend25MessagesASecondForever() {
        RateLimiter limiter = new RateLimiter(RateLimits.defaults(), time);
        for (int i = 0; i < 25 * 60; i++) {
            assertThat((Object) limiter.refusal(Limit.SEND_PER_DEVICE, "1/phone", Limit.SEND_PER_USER, 1L,
                    Limit.SEND_PER_COUPLE, 9L)).isNull();
            assertThat((Object) limiter.refusal(Limit.SEND_PER_DEVICE, "2/phone", Limit.SEND_PER_USER, 2L,
                    Limit.SEND_PER_COUPLE, 9L)).isNull();
            time.advance(Duration.ofMillis(40));
        }
    }
}
