package io.duet.bench.codec;

import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xerial.snappy.Snappy;

/**
 * Snappy, as frames use it, on realistic bodies: {@code event} is the EVENT body that delivers one message
 * (the mix of texts with a mean of 200 characters), {@code page} a history page of 50 of them (what a client
 * catching up reads in one frame). The baseline is what sending uncompressed costs instead: one copy of the
 * body.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class SnappyBenchmark {
    /** Messages in a {@code page} body. */
    static final int PAGE_MESSAGES = 50;

    @Param({"event", "page"})
    public String body;

    private byte[][] plain;
    private byte[][] compressed;
    private int index;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int count = body.equals("page") ? 16 : Samples.COUNT;
        ChatSamples chat = new ChatSamples(7, Samples.MEAN_TEXT_LENGTH);
        plain = new byte[count][];
        compressed = new byte[count][];
        for (int i = 0; i < count; i++) {
            plain[i] = body.equals("page")
                    ? ThriftCodec.INTERNAL.encode(chat.page(PAGE_MESSAGES))
                    : chat.next().event();
            compressed[i] = Snappy.compress(plain[i]);
        }
    }

    private int next() {
        index = index + 1 == plain.length ? 0 : index + 1;
        return index;
    }

    /** Duet: compress a body. */
    @Benchmark
    public byte[] compress() throws IOException {
        return Snappy.compress(plain[next()]);
    }

    /** Baseline: copy it, as an uncompressed frame would. */
    @Benchmark
    public byte[] compressCopy() {
        byte[] body = plain[next()];
        return Arrays.copyOf(body, body.length);
    }

    /** Duet: decompress a body, after the validation the frame decoder does first. */
    @Benchmark
    public byte[] decompress() throws IOException {
        byte[] block = compressed[next()];
        if (!Snappy.isValidCompressedBuffer(block)) {
            throw new IllegalStateException("invalid block");
        }
        byte[] output = new byte[Snappy.uncompressedLength(block)];
        Snappy.uncompress(block, 0, block.length, output, 0);
        return output;
    }

    /** Baseline: copy the uncompressed body, as reading an uncompressed frame would. */
    @Benchmark
    public byte[] decompressCopy() {
        byte[] body = plain[next()];
        return Arrays.copyOf(body, body.length);
    }
}
