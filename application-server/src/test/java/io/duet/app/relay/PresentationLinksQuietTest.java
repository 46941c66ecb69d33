package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A stopping application server keeps its relay links open after the handoff until the presentation servers
 * stop calling ({@link PresentationLinks#awaitQuiet}), for a bounded time.
 */
class PresentationLinksQuietTest {
    private final PresentationLinks links = new PresentationLinks(Clock.systemUTC());

    @Test
    void withoutLinksThereIsNothingToWaitFor() throws Exception {
        links.heardCall();

        assertThat(links.awaitQuiet(Duration.ofHours(1), Duration.ofHours(1))).isTrue();
    }

    @Test
    void waitsUntilNoCallCameForTheQuietPeriod() throws Exception {
        links.greeted(new EmbeddedChannel(), false);
        long start = System.nanoTime();
        links.heardCall();

        assertThat(links.awaitQuiet(Duration.ofMillis(100), Duration.ofSeconds(10))).isTrue();

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void givesUpAtItsBoundWhenCallsCameTooRecently() throws Exception {
        links.greeted(new EmbeddedChannel(), false);
        links.heardCall();
        long start = System.nanoTime();

        assertThat(links.awaitQuiet(Duration.ofHours(1), Duration.ofMillis(100))).isFalse();

        assertThat(System.nanoTime() - start).isBetween(Duration.ofMillis(100).toNanos(), Duration.ofMinutes(1).toNanos());
    }
}
