package io.duet.presentation.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.junit.jupiter.api.Test;

/** The bound on handshakes in flight, through EmbeddedChannels. */
class HandshakeGateTest {
    private final HandshakeGate.Budget budget = new HandshakeGate.Budget(2);

    @Test
    void aConnectionPastTheBoundIsClosedAndOneFinishedHandshakeFreesAPlace() {
        EmbeddedChannel first = new EmbeddedChannel(new HandshakeGate(budget));
        EmbeddedChannel second = new EmbeddedChannel(new HandshakeGate(budget));
        EmbeddedChannel third = new EmbeddedChannel(new HandshakeGate(budget));
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).as("a third handshake in flight").isFalse();
        assertThat(budget.refused()).isEqualTo(1);

        first.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        assertThat(first.pipeline().get(HandshakeGate.class)).as("gone once its handshake is done").isNull();
        assertThat(budget.inFlight()).isEqualTo(1);
        EmbeddedChannel fourth = new EmbeddedChannel(new HandshakeGate(budget));
        assertThat(fourth.isOpen()).isTrue();

        first.close();
        assertThat(budget.inFlight()).as("a finished handshake is not released twice").isEqualTo(2);
    }

    @Test
    void aFailedHandshakeOrAClosedConnectionReleasesItsPlace() {
        EmbeddedChannel failed = new EmbeddedChannel(new HandshakeGate(budget));
        EmbeddedChannel closed = new EmbeddedChannel(new HandshakeGate(budget));
        failed.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new javax.net.ssl.SSLException("bad")));
        closed.close();
        closed.close();
        assertThat(budget.inFlight()).isZero();
        assertThat(budget.refused()).isZero();
    }
}
