package io.duet.protocol.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.security.RelayTls;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class RelayLinkFramingTest {
    @Test
    void aCallFrameWrittenByTheConnectingEndIsReadByTheAcceptingEndAsACallOnItsStream() {
        EmbeddedChannel client = new EmbeddedChannel();
        RelayLinkFraming.addClientHandlers(client, RelayTls.disabled(), "127.0.0.1", 7000);
        EmbeddedChannel server = new EmbeddedChannel();
        RelayLinkFraming.addServerHandlers(server, RelayTls.disabled());
        try {
            assertThat(client.pipeline().names()).startsWith(RelayLinkFraming.FRAME_DECODER,
                    RelayLinkFraming.FRAME_ENCODER, RelayLinkFraming.RELAY_CODEC);
            assertThat(server.pipeline().names()).startsWith(RelayLinkFraming.FRAME_DECODER,
                    RelayLinkFraming.FRAME_ENCODER, RelayLinkFraming.RELAY_CODEC);

            client.writeOutbound(RelayLinkFraming.callFrame(7, new byte[] {1, 2, 3}));
            for (ByteBuf bytes; (bytes = client.readOutbound()) != null; ) {
                server.writeInbound(bytes);
            }

            RelayFrame read = server.readInbound();
            assertThat(read.getData().getStreamId()).isEqualTo(7);
            assertThat(read.getData().getKind()).isEqualTo(PayloadKind.CALL);
            assertThat(read.getData().getPayload()).containsExactly(1, 2, 3);
        } finally {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
        }
    }
}
