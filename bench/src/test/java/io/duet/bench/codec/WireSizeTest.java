package io.duet.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire-size benchmark at a tiny size (CI's smoke run), and what it counts. */
class WireSizeTest {
    @Test
    void theFramesCountedAreTheOnesTheClientReadsBack() throws Exception {
        ChatSamples.Sample sample = new ChatSamples(3, 200).next();
        EmbeddedChannel server = new EmbeddedChannel(new FrameEncoder(FrameLimits.SERVER_TO_CLIENT,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        ByteBuf wire = Wire.encode(server, Frame.of(FrameType.EVENT, sample.event()));
        int counted = wire.readableBytes();
        EmbeddedChannel client = new EmbeddedChannel(new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
        client.writeInbound(wire);
        Frame frame = client.readInbound();

        Event event = ThriftCodec.INTERNAL.decode(frame.payload(), new Event());
        assertThat(event.getMessage().getMessage()).isEqualTo(sample.message());
        assertThat(counted).isLessThan(sample.event().length + 6); // long texts travel compressed
    }

    @Test
    void theJsonBaselineEscapesWhatItMust() {
        SendMessageRequest request = new SendMessageRequest("id", "say \"hi\"\\\n❤️", 1);
        Message message = new Message(1, "id", Long.MAX_VALUE, "device", 2, null, request.getText());

        assertThat(new String(JsonHttpBaseline.requestJson(request), StandardCharsets.UTF_8))
                .isEqualTo("{\"clientMessageId\":\"id\",\"text\":\"say \\\"hi\\\"\\\\\\u000a❤️\"}");
        assertThat(new String(JsonHttpBaseline.eventJson(message), StandardCharsets.UTF_8))
                .startsWith("{\"type\":\"message\",\"message\":{\"seq\":1,")
                .contains("\"senderId\":\"9223372036854775807\"")
                .endsWith("\"text\":\"say \\\"hi\\\"\\\\\\u000a❤️\"}}");
    }

    @Test
    void smokeRunPrintsDuetBesideBothBaselines() {
        List<WireSize.Result> results = WireSizeMain.measure(30, 200, 3);

        assertThat(results).hasSize(3).allSatisfy(result -> {
            // The encoder compresses only when that makes a frame smaller.
            assertThat(result.duetSend()).isLessThanOrEqualTo(result.uncompressedSend());
            assertThat(result.duetDelivery()).isLessThanOrEqualTo(result.uncompressedDelivery());
            // A short text's send is the id, the text and the order stream: far below the HTTP request.
            assertThat(result.duetSend()).isLessThan(result.http1Send());
            assertThat(result.ratioHttp1()).isBetween(0.05, 1.0);
            assertThat(result.ratioHttp2()).isBetween(0.05, 1.5);
        });
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        WireSizeMain.print(results, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains(
                "| Duet TCP (snappy, compact Thrift frames) |", "| Duet TCP if never compressed |",
                "| JSON over HTTP/1.1 + WebSocket |",
                "| JSON over HTTP/2 + server-sent events |");
    }
}
