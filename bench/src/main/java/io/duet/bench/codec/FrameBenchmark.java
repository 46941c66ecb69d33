package io.duet.bench.codec;

import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
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
 * Client frames: the sender's CALL frame encoded (snappy from 128 bytes, as the SDK sends it) and the
 * EVENT frame that delivers a message decoded (as the SDK reads it), each beside a plain length-prefixed
 * frame of the same body without type, flags or compression, through the same Netty pipeline machinery.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class FrameBenchmark {
    private Samples samples;
    private EmbeddedChannel duetEncoder;
    private EmbeddedChannel plainEncoder;
    private EmbeddedChannel duetDecoder;
    private EmbeddedChannel plainDecoder;
    private ByteBuf[] duetEventFrames;
    private ByteBuf[] plainEventFrames;

    @Setup(Level.Trial)
    public void setUp() {
        samples = new Samples();
        duetEncoder = new EmbeddedChannel(new FrameEncoder(FrameLimits.CLIENT_TO_SERVER,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        plainEncoder = new EmbeddedChannel(new PlainFrameEncoder());
        duetDecoder = new EmbeddedChannel(new FrameDecoder(FrameLimits.SERVER_TO_CLIENT));
        plainDecoder = new EmbeddedChannel(new LengthFieldBasedFrameDecoder(
                FrameLimits.SERVER_TO_CLIENT.maxFrameBytes(), 0, 4, 0, 4));
        EmbeddedChannel serverEncoder = new EmbeddedChannel(new FrameEncoder(FrameLimits.SERVER_TO_CLIENT,
                FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD));
        duetEventFrames = new ByteBuf[Samples.COUNT];
        plainEventFrames = new ByteBuf[Samples.COUNT];
        for (int i = 0; i < Samples.COUNT; i++) {
            byte[] event = samples.get(i).event();
            duetEventFrames[i] = Wire.encode(serverEncoder, Frame.of(FrameType.EVENT, event));
            plainEventFrames[i] = Wire.encode(plainEncoder, event);
        }
        serverEncoder.finishAndReleaseAll();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int i = 0; i < Samples.COUNT; i++) {
            duetEventFrames[i].release();
            plainEventFrames[i].release();
        }
        duetEncoder.finishAndReleaseAll();
        plainEncoder.finishAndReleaseAll();
        duetDecoder.finishAndReleaseAll();
        plainDecoder.finishAndReleaseAll();
    }

    /** Duet: a CALL frame of a send, compressed when that pays. Returns the bytes on the wire. */
    @Benchmark
    public int encodeCallFrame() {
        return Wire.encodedLength(duetEncoder, Frame.of(FrameType.CALL, samples.next().call()));
    }

    /** Baseline: the same body behind a 4-byte length, nothing else. */
    @Benchmark
    public int encodeCallPlain() {
        return Wire.encodedLength(plainEncoder, samples.next().call());
    }

    /** Duet: an EVENT frame delivering a message, decompressed into the body the SDK reads. */
    @Benchmark
    public int decodeEventFrame() {
        duetDecoder.writeInbound(duetEventFrames[samples.nextIndex()].retainedDuplicate());
        Frame frame = duetDecoder.readInbound();
        return frame.payload().length;
    }

    /** Baseline: the same body in a plain length-prefixed frame, copied out as Duet's decoder does. */
    @Benchmark
    public int decodeEventPlain() {
        plainDecoder.writeInbound(plainEventFrames[samples.nextIndex()].retainedDuplicate());
        ByteBuf frame = plainDecoder.readInbound();
        try {
            byte[] body = new byte[frame.readableBytes()];
            frame.readBytes(body);
            return body.length;
        } finally {
            frame.release();
        }
    }

    /** The baseline framing: a 4-byte big-endian length, then the body. */
    static final class PlainFrameEncoder extends MessageToByteEncoder<byte[]> {
        PlainFrameEncoder() {
            super(byte[].class);
        }

        @Override
        protected void encode(ChannelHandlerContext ctx, byte[] body, ByteBuf out) {
            out.ensureWritable(4 + body.length);
            out.writeInt(body.length);
            out.writeBytes(body);
        }
    }
}
