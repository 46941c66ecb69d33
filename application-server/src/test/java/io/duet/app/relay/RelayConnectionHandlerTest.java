package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.Hello;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a relay link adds to the server's count of open streams (the duet_relay_streams_open gauge). */
class RelayConnectionHandlerTest {
    private final LongAdder openStreams = new LongAdder();
    private final PresentationLinks links = new PresentationLinks(java.time.Clock.systemUTC());
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new RelayConnectionHandler("app-test", null, null, links, openStreams));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    private void receive(RelayFrame frame) {
        channel.writeInbound(frame);
        channel.runPendingTasks();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            ReferenceCountUtil.release(out);
        }
    }

    private static RelayFrame open(long streamId) {
        return RelayFrame.open(new OpenStream(streamId, StreamKind.REQUEST, WireProtocol.COMPACT).setServiceName("account"));
    }

    @Test
    void streamsAreCountedWhileOpenAndAllUncountedWhenTheLinkCloses() {
        receive(RelayFrame.hello(new Hello(relayConstants.RELAY_VERSION, "presentation-test")));
        assertThat(links.openLinks()).isEqualTo(1);
        receive(open(1));
        receive(open(2));
        receive(open(3));
        assertThat(openStreams.sum()).isEqualTo(3);
        receive(open(2));
        assertThat(openStreams.sum()).as("a stream id opened again replaces its stream").isEqualTo(3);
        receive(RelayFrame.close(new CloseStream(1, CloseReason.CLIENT_GONE)));
        receive(RelayFrame.close(new CloseStream(99, CloseReason.CLIENT_GONE)));
        assertThat(openStreams.sum()).isEqualTo(2);

        channel.close();
        assertThat(openStreams.sum()).isZero();
        assertThat(links.openLinks()).isZero();
    }
}
