package io.duet.bench.codec;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;
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

/**
 * Thrift encoding and decoding of what a chat carries, in each protocol Duet speaks: {@code COMPACT} is
 * what TCP sessions and the servers use; {@code BINARY} and {@code JSON} (HTTP clients may choose them) are
 * the baselines for the same values. The values: the {@code sendMessage} call as the SDK writes it (message
 * header and args), the {@code event} that delivers a message, and a {@code page} of 50 messages (a batch).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(3)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class ThriftBenchmark {
    @Param({"sendMessage", "event", "page"})
    public String value;

    @Param({"COMPACT", "BINARY", "JSON"})
    public WireProtocol protocol;

    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final int PAGES = 8;

    private ChatSamples.Sample[] samples;
    private HistoryPage[] pages;
    private byte[][] encoded;
    private int index;

    @Setup(Level.Trial)
    public void setUp() throws MalformedPayloadException {
        ChatSamples chat = new ChatSamples(11, Samples.MEAN_TEXT_LENGTH);
        int count = value.equals("page") ? PAGES : Samples.COUNT;
        samples = chat.next(count).toArray(ChatSamples.Sample[]::new);
        pages = new HistoryPage[PAGES];
        for (int i = 0; i < PAGES; i++) {
            pages[i] = chat.page(SnappyBenchmark.PAGE_MESSAGES);
        }
        encoded = new byte[count][];
        for (int i = 0; i < count; i++) {
            index = i;
            encoded[i] = encodeAt(i);
            if (decodeAt(i) == null) {
                throw new IllegalStateException("cannot decode what was encoded");
            }
        }
    }

    private int next() {
        index = index + 1 == encoded.length ? 0 : index + 1;
        return index;
    }

    @Benchmark
    public byte[] encode() {
        return encodeAt(next());
    }

    @Benchmark
    public Object decode() throws MalformedPayloadException {
        return decodeAt(next());
    }

    private byte[] encodeAt(int i) {
        switch (value) {
            case "sendMessage":
                return ThriftMessages.encodeCall(CODEC, protocol, ChatSamples.SEND_METHOD, i + 1,
                        new ChatService.sendMessage_args(samples[i].request()), false);
            case "event":
                return CODEC.encode(ChatSamples.event(samples[i].message()), protocol);
            default:
                return CODEC.encode(pages[i], protocol);
        }
    }

    private TBase<?, ?> decodeAt(int i) throws MalformedPayloadException {
        switch (value) {
            case "sendMessage":
                return ThriftMessages.read(CODEC, encoded[i], protocol).readBody(new ChatService.sendMessage_args());
            case "event":
                return CODEC.decode(encoded[i], new Event(), protocol);
            default:
                return CODEC.decode(encoded[i], new HistoryPage(), protocol);
        }
    }
}
