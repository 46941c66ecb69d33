package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.limits.Rate;
import io.duet.app.push.PushGate.Verdict;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushGateTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final TimeMeter time = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Test
    void aMessageIsPushedOncePerDeviceAndOlderOnesNotAtAll() {
        PushGate gate = new PushGate(Duration.ZERO, Rate.of(100, Duration.ofHours(1)), 100, time);

        assertThat(gate.admit("APNS:phone", 7, 5)).isEqualTo(Verdict.SEND);
        assertThat(gate.admit("APNS:phone", 7, 5)).isEqualTo(Verdict.DUPLICATE);
        assertThat(gate.admit("APNS:phone", 7, 4)).isEqualTo(Verdict.DUPLICATE);
        assertThat(gate.admit("FCM:tablet", 7, 5)).as("another device").isEqualTo(Verdict.SEND);
        assertThat(gate.admit("APNS:phone", 7, 6)).isEqualTo(Verdict.SEND);
        // The device moved to another couple (its user re-paired): its sequence numbers start again.
        assertThat(gate.admit("APNS:phone", 8, 1)).isEqualTo(Verdict.SEND);
    }

    @Test
    void aBurstIsCoalescedToOnePushPerWindow() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(100, Duration.ofHours(1)), 100, time);

        assertThat(gate.admit("APNS:phone", 7, 1)).isEqualTo(Verdict.SEND);
        for (long seq = 2; seq <= 20; seq++) {
            advance(Duration.ofMillis(400));
            assertThat(gate.admit("APNS:phone", 7, seq)).as("seq %d", seq).isEqualTo(Verdict.HELD_BACK);
        }
        assertThat(gate.admit("FCM:other", 7, 20)).as("other devices have their own window").isEqualTo(Verdict.SEND);
        advance(Duration.ofSeconds(3));
        assertThat(gate.admit("APNS:phone", 7, 21)).as("the window passed").isEqualTo(Verdict.SEND);
        assertThat(gate.admit("APNS:phone", 7, 22)).isEqualTo(Verdict.HELD_BACK);
    }

    @Test
    void theRatePerDeviceCapsPushesBeyondTheWindow() {
        PushGate gate = new PushGate(Duration.ofSeconds(1), Rate.of(3, Duration.ofHours(1)), 100, time);
        long seq = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(gate.admit("APNS:phone", 7, ++seq)).isEqualTo(Verdict.SEND);
            advance(Duration.ofSeconds(2));
        }
        assertThat(gate.admit("APNS:phone", 7, ++seq)).as("the fourth within the hour").isEqualTo(Verdict.HELD_BACK);
        advance(Duration.ofMinutes(20));
        assertThat(gate.admit("APNS:phone", 7, ++seq)).as("a third of the hour refilled one").isEqualTo(Verdict.SEND);
    }
}
