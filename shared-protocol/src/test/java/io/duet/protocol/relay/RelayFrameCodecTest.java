package io.duet.protocol.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RelayFrameCodecTest {
    @ParameterizedTest
    @EnumSource(PayloadKind.class)
    void dataFrameIsTheFrameOfTheGeneratedStruct(PayloadKind kind) throws Exception {
        Random random = new Random(kind.getValue());
        for (int size : new int[] {0, 1, 127, 128, 300, 1023, 1024, 5000, 70_000}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            long streamId = random.nextLong();
            assertSameFrame(RelayFrameCodec.dataFrame(streamId, kind, payload, RelayFrameCodec.NO_RETRY_AFTER),
                    new StreamData(streamId, kind, ByteBuffer.wrap(payload)));
            assertSameFrame(RelayFrameCodec.dataFrame(streamId, kind, payload, 1500),
                    new StreamData(streamId, kind, ByteBuffer.wrap(payload)).setRateLimitedRetryAfterMillis(1500));
            assertSameFrame(RelayFrameCodec.dataFrame(streamId, kind, payload, 0),
                    new StreamData(streamId, kind, ByteBuffer.wrap(payload)).setRateLimitedRetryAfterMillis(0));
        }
    }

    @Test
    void dataFrameDecodesToItsFields() throws Exception {
        byte[] payload = {1, 2, 3};
        Frame frame = RelayFrameCodec.dataFrame(42, PayloadKind.EVENT, payload, RelayFrameCodec.NO_RETRY_AFTER);
        payload[0] = 9;

        StreamData data = ThriftCodec.INTERNAL.decode(frame.payload(), new RelayFrame()).getData();
        assertThat(data.getStreamId()).isEqualTo(42);
        assertThat(data.getKind()).isEqualTo(PayloadKind.EVENT);
        assertThat(data.getPayload()).containsExactly(1, 2, 3);
        assertThat(data.isSetRateLimitedRetryAfterMillis()).isFalse();
    }

    private static void assertSameFrame(Frame actual, StreamData expected) {
        assertThat(actual.type()).isEqualTo(FrameType.RELAY);
        assertThat(actual.payload()).isEqualTo(RelayFrameCodec.toFrame(RelayFrame.data(expected)).payload());
    }
}
