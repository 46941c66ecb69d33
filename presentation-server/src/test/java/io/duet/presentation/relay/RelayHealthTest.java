package io.duet.presentation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayHealthTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RelayHealth health = new RelayHealth(Duration.ofSeconds(5), now::get);

    @Test
    void cannotRelayUntilTheFirstLinkIsUp() {
        assertThat(health.whyNot(false)).hasValueSatisfying(reason -> assertThat(reason).contains("yet"));
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(health.whyNot(false)).as("still never up").isPresent();
        assertThat(health.whyNot(true)).isEmpty();
    }

    @Test
    void losingTheLastLinkCountsOnlyAfterTheGrace() {
        assertThat(health.whyNot(true)).isEmpty();
        health.linkLost();
        now.addAndGet(Duration.ofMillis(4_900).toNanos());
        assertThat(health.whyNot(false)).as("a link being re-established").isEmpty();
        now.addAndGet(Duration.ofMillis(200).toNanos());
        assertThat(health.whyNot(false)).hasValueSatisfying(reason -> assertThat(reason).contains("for 5100 ms"));
        assertThat(health.whyNot(true)).as("a link is back").isEmpty();
    }

    @Test
    void anotherLinkLostLaterRestartsTheGrace() {
        health.linkLost();
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        health.linkLost();
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(health.whyNot(false)).isEmpty();
    }
}
