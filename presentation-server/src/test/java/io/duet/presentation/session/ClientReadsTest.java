package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ClientReadsTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ClientReads reads = new ClientReads(channel, 3);

    @Test
    void stopsReadingAtTheBoundOfCallsInFlightAndResumesWhenOneIsAnswered() {
        reads.callSent();
        reads.callSent();
        assertThat(reads.reading()).isTrue();
        reads.callSent();
        assertThat(reads.reading()).as("3 calls in flight").isFalse();
        assertThat(channel.config().isAutoRead()).isFalse();
        reads.callsSettled(1);
        assertThat(reads.reading()).isTrue();
        assertThat(reads.callsInFlight()).isEqualTo(2);
    }

    @Test
    void callsOfAnEndedStreamAreSettledAllAtOnceNeverBelowZero() {
        for (int i = 0; i < 5; i++) {
            reads.callSent();
        }
        reads.callsSettled(7);
        assertThat(reads.callsInFlight()).isZero();
        assertThat(reads.reading()).isTrue();
    }

    @Test
    void aBackedUpRelayLinkStopsReadingWhateverTheCallCount() {
        reads.relayWritable(false);
        assertThat(reads.reading()).isFalse();
        reads.callSent();
        reads.callSent();
        reads.callSent();
        reads.relayWritable(true);
        assertThat(reads.reading()).as("link drained, but 3 calls in flight").isFalse();
        reads.callsSettled(1);
        assertThat(reads.reading()).isTrue();
    }
}
