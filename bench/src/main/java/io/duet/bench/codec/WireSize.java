package io.duet.bench.codec;

import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Bytes on the wire per message: Duet's client TCP protocol against the JSON/HTTP equivalents of {@link
 * JsonHttpBaseline}, for one run of {@code messages} texts of a {@link io.duet.bench.TextMix}. Duet's bytes are
 * the frames its encoders write, exactly as the SDK and a presentation server put them on the socket: the
 * sender's CALL frame, the REPLY that acknowledges it and the EVENT that delivers it to the partner's
 * session (the sending session gets no echo of it: the REPLY is its copy); and, to show what snappy saves,
 * the same frames never compressed. The sender's other devices get the same EVENT as the partner.
 * Keep-alive pings, the session's AUTH frame and TCP/TLS overhead are not counted.
 */
final class WireSize {
    /** The totals of one run, in bytes. */
    record Result(int meanTextLength, int messages, long textChars, long textBytes, long duetSend, long duetAck,
            long duetDelivery, long uncompressedSend, long uncompressedDelivery, long http1Send,
            long http1Ack, long http1Delivery, long http2Send, long http2Ack, long http2Delivery) {

        long duet() {
            return duetSend + duetAck + duetDelivery;
        }

        /** Duet's send, ack and delivery if frames were never compressed. */
        long uncompressed() {
            return uncompressedSend + duetAck + uncompressedDelivery;
        }

        long http1() {
            return http1Send + http1Ack + http1Delivery;
        }

        long http2() {
            return http2Send + http2Ack + http2Delivery;
        }

        /** Duet's send, ack and delivery over the HTTP/1.1 + WebSocket API's. */
        double ratioHttp1() {
            return (double) duet() / http1();
        }

        double ratioHttp2() {
            return (double) duet() / http2();
        }

        /** Per message, rounded. */
        long perMessage(long total) {
            return Math.round((double) total / messages);
        }
    }

    private WireSize() {
    }

    /** Measures {@code messages} messages of texts with a mean of {@code meanTextLength} characters. */
    static Result run(long seed, int meanTextLength, int messages) {
        ChatSamples chat = new ChatSamples(seed, meanTextLength);
        JsonHttpBaseline json = new JsonHttpBaseline(chat.senderId(), new Random(seed + 1));
        EmbeddedChannel client = new EmbeddedChannel(new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        EmbeddedChannel server = new EmbeddedChannel(new FrameEncoder(FrameLimits.SERVER_TO_CLIENT,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        EmbeddedChannel uncompressed = new EmbeddedChannel(new FrameEncoder(FrameLimits.SERVER_TO_CLIENT,
                FrameEncoder.NEVER_COMPRESS));
        long chars = 0;
        long textBytes = 0;
        long send = 0;
        long ack = 0;
        long delivery = 0;
        long uncompressedSend = 0;
        long uncompressedDelivery = 0;
        long[] http1 = new long[3];
        long[] http2 = new long[3];
        try {
            for (int i = 0; i < messages; i++) {
                ChatSamples.Sample sample = chat.next();
                chars += sample.message().getText().length();
                textBytes += sample.message().getText().getBytes(StandardCharsets.UTF_8).length;
                send += Wire.encodedLength(client, Frame.of(FrameType.CALL, sample.call()));
                ack += Wire.encodedLength(server, Frame.of(FrameType.REPLY, sample.reply()));
                delivery += Wire.encodedLength(server, Frame.of(FrameType.EVENT, sample.event()));
                uncompressedSend += Wire.encodedLength(uncompressed, Frame.of(FrameType.CALL, sample.call()));
                uncompressedDelivery += Wire.encodedLength(uncompressed, Frame.of(FrameType.EVENT, sample.event()));
                add(http1, json.http1(sample.request(), sample.message()));
                add(http2, json.http2(sample.request(), sample.message()));
            }
        } finally {
            client.finishAndReleaseAll();
            server.finishAndReleaseAll();
            uncompressed.finishAndReleaseAll();
        }
        return new Result(meanTextLength, messages, chars, textBytes, send, ack, delivery,
                uncompressedSend, uncompressedDelivery, http1[0], http1[1], http1[2], http2[0], http2[1], http2[2]);
    }

    private static void add(long[] totals, JsonHttpBaseline.Bytes bytes) {
        totals[0] += bytes.send();
        totals[1] += bytes.ack();
        totals[2] += bytes.delivery();
    }
}
