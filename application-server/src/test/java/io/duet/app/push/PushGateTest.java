package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.duet.app.limits.Rate;
import io.duet.app.push.PushGate.Admission;
import io.duet.app.push.PushGate.Trailing;
import io.duet.app.push.PushGate.Verdict;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushGateTest {
    private static final long MILLISECOND = 1_000_000L;
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

    private static PushContent content(long coupleId, long seq) {
        return new PushContent("Duet", "New message " + seq, coupleId, seq);
    }

    private static Verdict admit(PushGate gate, String device, long coupleId, long seq) {
        return gate.admit(device, content(coupleId, seq)).verdict();
    }

    @Test
    void aMessageIsPushedOncePerDeviceAndOlderOnesNotAtAll() {
        PushGate gate = new PushGate(Duration.ZERO, Rate.of(100, Duration.ofHours(1)), 100, time);

        assertThat(admit(gate, "APNS:phone", 7, 5)).isEqualTo(Verdict.SEND);
        assertThat(admit(gate, "APNS:phone", 7, 5)).isEqualTo(Verdict.DUPLICATE);
        assertThat(admit(gate, "APNS:phone", 7, 4)).isEqualTo(Verdict.DUPLICATE);
        assertThat(admit(gate, "FCM:tablet", 7, 5)).as("another device").isEqualTo(Verdict.SEND);
        assertThat(admit(gate, "APNS:phone", 7, 6)).isEqualTo(Verdict.SEND);
        // The device moved to another couple (its user re-paired): its sequence numbers start again.
        assertThat(admit(gate, "APNS:phone", 8, 1)).isEqualTo(Verdict.SEND);
    }

    @Test
    void aBurstIsCoalescedToOnePushPerWindow() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(100, Duration.ofHours(1)), 100, time);

        assertThat(admit(gate, "APNS:phone", 7, 1)).isEqualTo(Verdict.SEND);
        for (long seq = 2; seq <= 20; seq++) {
            advance(Duration.ofMillis(400));
            assertThat(admit(gate, "APNS:phone", 7, seq)).as("seq %d", seq).isEqualTo(Verdict.HELD_BACK);
        }
        assertThat(admit(gate, "FCM:other", 7, 20)).as("other devices have their own window").isEqualTo(Verdict.SEND);
        advance(Duration.ofSeconds(3));
        assertThat(admit(gate, "APNS:phone", 7, 21)).as("the window passed").isEqualTo(Verdict.SEND);
        assertThat(admit(gate, "APNS:phone", 7, 22)).isEqualTo(Verdict.HELD_BACK);
    }

    @Test
    void theRatePerDeviceCapsPushesBeyondTheWindow() {
        PushGate gate = new PushGate(Duration.ofSeconds(1), Rate.of(3, Duration.ofHours(1)), 100, time);
        long seq = 0;
        for (int i = 0; i < 3; i++) {
            assertThat(admit(gate, "APNS:phone", 7, ++seq)).isEqualTo(Verdict.SEND);
            advance(Duration.ofSeconds(2));
        }
        assertThat(admit(gate, "APNS:phone", 7, ++seq)).as("the fourth within the hour").isEqualTo(Verdict.HELD_BACK);
        advance(Duration.ofMinutes(20));
        assertThat(admit(gate, "APNS:phone", 7, ++seq)).as("a third of the hour refilled one").isEqualTo(Verdict.SEND);
    }

    @Test
    void messagesHeldBackByTheWindowGetOneTrailingPushWhenItEnds() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(60, Duration.ofHours(1)), 100, time);
        assertThat(gate.admit("APNS:phone", content(7, 1))).isEqualTo(new Admission(Verdict.SEND, 1, -1));

        advance(Duration.ofSeconds(4));
        Admission first = gate.admit("APNS:phone", content(7, 2));
        assertThat(first.verdict()).isEqualTo(Verdict.HELD_BACK);
        assertThat(first.trailingDue()).isTrue();
        assertThat(Duration.ofNanos(first.trailingAfterNanos())).as("when the window ends").isEqualTo(Duration.ofSeconds(6));
        advance(Duration.ofSeconds(1));
        assertThat(gate.admit("APNS:phone", content(7, 3))).as("one trailing push is scheduled already")
                .isEqualTo(new Admission(Verdict.HELD_BACK, 0, -1));
        assertThat(gate.admit("APNS:phone", content(7, 4)).trailingDue()).isFalse();

        advance(Duration.ofSeconds(5));
        Trailing trailing = gate.trailing("APNS:phone");
        assertThat(trailing.send()).isTrue();
        assertThat(trailing.messages()).isEqualTo(3);
        assertThat(trailing.latest()).isEqualTo(content(7, 4));
        assertThat(gate.trailing("APNS:phone")).as("said once").isEqualTo(Trailing.NOTHING);

        // The trailing push opened a new window: the next message is held back and gets its own.
        advance(Duration.ofSeconds(1));
        Admission next = gate.admit("APNS:phone", content(7, 5));
        assertThat(next.verdict()).isEqualTo(Verdict.HELD_BACK);
        assertThat(Duration.ofNanos(next.trailingAfterNanos())).isEqualTo(Duration.ofSeconds(9));
        advance(Duration.ofSeconds(9));
        assertThat(gate.trailing("APNS:phone").messages()).isEqualTo(1);
    }

    @Test
    void aPushAfterTheWindowCoversTheMessagesHeldBackAndTheTrailingOneIsNotSent() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(60, Duration.ofHours(1)), 100, time);
        admit(gate, "APNS:phone", 7, 1);
        advance(Duration.ofSeconds(2));
        assertThat(gate.admit("APNS:phone", content(7, 2)).trailingDue()).isTrue();
        admit(gate, "APNS:phone", 7, 3);

        // The next message arrives as the window ends, before the trailing push's timer fires.
        advance(Duration.ofSeconds(8));
        assertThat(gate.admit("APNS:phone", content(7, 4))).isEqualTo(new Admission(Verdict.SEND, 3, -1));
        assertThat(gate.trailing("APNS:phone")).isEqualTo(Trailing.NOTHING);

        // Then a new burst schedules a trailing push again.
        advance(Duration.ofSeconds(1));
        assertThat(gate.admit("APNS:phone", content(7, 5)).trailingDue()).isTrue();
    }

    @Test
    void aTrailingPushOverTheRateWaitsForTheRate() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(2, Duration.ofHours(1)), 100, time);
        admit(gate, "APNS:phone", 7, 1);
        advance(Duration.ofSeconds(10));
        admit(gate, "APNS:phone", 7, 2); // the second and last of the hour
        advance(Duration.ofSeconds(10));
        Admission held = gate.admit("APNS:phone", content(7, 3));
        assertThat(held.verdict()).isEqualTo(Verdict.HELD_BACK);
        assertThat(held.trailingAfterNanos()).as("until the rate refills one")
                .isCloseTo(Duration.ofMinutes(30).minusSeconds(20).toNanos(), within(MILLISECOND));

        advance(Duration.ofMinutes(10));
        Trailing early = gate.trailing("APNS:phone");
        assertThat(early.retry()).isTrue();
        assertThat(early.send()).isFalse();
        assertThat(early.retryAfterNanos()).isCloseTo(Duration.ofMinutes(20).minusSeconds(20).toNanos(), within(MILLISECOND));
        admit(gate, "APNS:phone", 7, 4);

        advance(Duration.ofNanos(early.retryAfterNanos()));
        Trailing due = gate.trailing("APNS:phone");
        assertThat(due.messages()).isEqualTo(2);
        assertThat(due.latest().seq()).isEqualTo(4);
    }

    @Test
    void aDeviceThatMovedToAnotherCoupleForgetsTheOldCouplesHeldMessages() {
        PushGate gate = new PushGate(Duration.ofSeconds(10), Rate.of(60, Duration.ofHours(1)), 100, time);
        admit(gate, "APNS:phone", 7, 1);
        admit(gate, "APNS:phone", 7, 2);
        admit(gate, "APNS:phone", 8, 1); // held back too, but the only one of the new couple
        advance(Duration.ofSeconds(10));
        Trailing trailing = gate.trailing("APNS:phone");
        assertThat(trailing.messages()).isEqualTo(1);
        assertThat(trailing.latest()).isEqualTo(content(8, 1));
        assertThat(gate.trailing("FCM:unknown")).isEqualTo(Trailing.NOTHING);
    }
}
