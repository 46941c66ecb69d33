package io.duet.bench.codec;

import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.StreamData;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Relay frames: the application server encoding the {@code StreamData} that carries a message's EVENT to a
 * presentation server, and the presentation server decoding it, through the relay pipeline's own handlers
 * (a RELAY frame, uncompressed, around a compact-Thrift {@code RelayFrame}). The baseline carries the same
 * stream id, kind and payload behind a fixed binary header (length, type, flags, stream id, kind) instead.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class RelayBenchmark {
    private static final long STREAM_ID = 0x1234_5678L;

    private Samples samples;
    private EmbeddedChannel duetEncoder;
    private EmbeddedChannel fixedEncoder;
    private EmbeddedChannel duetDecoder;
    private EmbeddedChannel fixedDecoder;
    private ByteBuf[] duetFrames;
    private ByteBuf[] fixedFrames;

    @Setup(Level.Trial)
    public void setUp() {
        samples = new Samples();
        duetEncoder = new EmbeddedChannel(new FrameEncoder(FrameLimits.RELAY, FrameEncoder.NEVER_COMPRESS),
                RelayFrameCodec.INSTANCE);
        fixedEncoder = new EmbeddedChannel(new FixedHeaderEncoder());
        duetDecoder = new EmbeddedChannel(new FrameDecoder(FrameLimits.RELAY), RelayFrameCodec.INSTANCE);
        fixedDecoder = new EmbeddedChannel(new LengthFieldBasedFrameDecoder(FrameLimits.RELAY.maxFrameBytes(),
                0, 4, 0, 4));
        duetFrames = new ByteBuf[Samples.COUNT];
        fixedFrames = new ByteBuf[Samples.COUNT];
        for (int i = 0; i < Samples.COUNT; i++) {
            byte[] event = samples.get(i).event();
            duetFrames[i] = Wire.encode(duetEncoder, duetFrame(event));
            fixedFrames[i] = Wire.encode(fixedEncoder, new FixedData(STREAM_ID, PayloadKind.EVENT, event));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int i = 0; i < Samples.COUNT; i++) {
            duetFrames[i].release();
            fixedFrames[i].release();
        }
        duetEncoder.finishAndReleaseAll();
        fixedEncoder.finishAndReleaseAll();
        duetDecoder.finishAndReleaseAll();
        fixedDecoder.finishAndReleaseAll();
    }

    private static RelayFrame duetFrame(byte[] event) {
        return RelayFrame.data(new StreamData(STREAM_ID, PayloadKind.EVENT, ByteBuffer.wrap(event)));
    }

    /** Duet: a StreamData relay frame carrying an event. Returns the bytes on the wire. */
    @Benchmark
    public int encodeRelay() {
        return Wire.encodedLength(duetEncoder, duetFrame(samples.next().event()));
    }

    /** Baseline: the same behind a fixed binary header. */
    @Benchmark
    public int encodeFixed() {
        return Wire.encodedLength(fixedEncoder, new FixedData(STREAM_ID, PayloadKind.EVENT, samples.next().event()));
    }

    /** Duet: a relay frame decoded into a StreamData whose payload is the event. */
    @Benchmark
    public Object decodeRelay() {
        duetDecoder.writeInbound(duetFrames[samples.nextIndex()].retainedDuplicate());
        RelayFrame frame = duetDecoder.readInbound();
        return frame.getData().getPayload();
    }

    /** Baseline: the fixed header read and the payload copied out. */
    @Benchmark
    public Object decodeFixed() {
        fixedDecoder.writeInbound(fixedFrames[samples.nextIndex()].retainedDuplicate());
        ByteBuf frame = fixedDecoder.readInbound();
        try {
            frame.skipBytes(2);
            long streamId = frame.readLong();
            PayloadKind kind = PayloadKind.findByValue(frame.readUnsignedByte());
            byte[] payload = new byte[frame.readableBytes()];
            frame.readBytes(payload);
            return new FixedData(streamId, kind, payload);
        } finally {
            frame.release();
        }
    }

    /** What the baseline carries: the fields of a {@code StreamData} that relays an event. */
    record FixedData(long streamId, PayloadKind kind, byte[] payload) {
    }

    /** The baseline's layout: length u32, type u8, flags u8, stream id i64, kind u8, payload. */
    static final class FixedHeaderEncoder extends MessageToByteEncoder<FixedData> {
        FixedHeaderEncoder() {
            super(FixedData.class);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, FixedData data, ByteBuf out) {
            int length = 2 + 8 + 1 + data.payload().length;
            out.ensureWritable(4 + length);
            out.writeInt(length);
            out.writeByte(FrameType.RELAY.code());
            out.writeByte(0);
            out.writeLong(data.streamId());
            out.writeByte(data.kind().getValue());
            out.writeBytes(data.payload());
        }
    }
}
