package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.rpc.Caller;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The credit of a session stream, as the application server keeps it. */
class AppStreamTest {
    private final RelayConnectionHandler connection = new RelayConnectionHandler("app-test", null, null, null,
            new LongAdder());
    private final EmbeddedChannel channel = new EmbeddedChannel(connection);
    private final AtomicInteger resumed = new AtomicInteger();

    private AppStream stream(OptionalLong credit) {
        return new AppStream(channel, 1, StreamKind.SESSION, Caller.of(7, 42, "phone"), null, WireProtocol.COMPACT,
                credit, connection);
    }

    private RelayFrame sent() throws Exception {
        channel.runPendingTasks();
        Frame frame = channel.readOutbound();
        assertThat(frame).as("a frame was sent").isNotNull();
        return ThriftCodec.INTERNAL.decode(frame.payload(), new RelayFrame());
    }

    @Test
    void eventsSpendTheCreditAndAReplayWaitsUntilGrantsMakeItPositiveAgain() throws Exception {
        AppStream stream = stream(OptionalLong.of(1000));
        stream.pushEvent(new byte[600]);
        assertThat(stream.canReplay()).isTrue();
        stream.pushEvent(new byte[600]);
        assertThat(stream.canReplay()).isFalse();
        assertThat(sent().getData().getKind()).isEqualTo(PayloadKind.EVENT);
        assertThat(sent().getData().getPayload()).hasSize(600);

        stream.whenReplayable(resumed::incrementAndGet);
        stream.granted(150);
        assertThat(resumed).as("credit still -50").hasValue(0);
        stream.granted(300);
        assertThat(resumed).hasValue(1);
        assertThat(stream.canReplay()).isTrue();
        stream.granted(300);
        assertThat(resumed).as("runs once").hasValue(1);
    }

    @Test
    void aWaitRegisteredWhileThereIsCreditRunsAtOnce() {
        AppStream stream = stream(OptionalLong.of(10));
        stream.whenReplayable(resumed::incrementAndGet);
        assertThat(resumed).hasValue(1);
    }

    @Test
    void aStreamOpenedWithoutCreditNeverRunsOut() {
        AppStream stream = stream(OptionalLong.empty());
        for (int i = 0; i < 100; i++) {
            stream.pushEvent(new byte[64 * 1024]);
        }
        assertThat(stream.canReplay()).isTrue();
    }

    @Test
    void aReplayThatGetsNoCreditForTooLongEndsTheStreamAsASlowConsumer() throws Exception {
        AppStream stream = stream(OptionalLong.of(100));
        stream.pushEvent(new byte[200]);
        sent();
        stream.whenReplayable(resumed::incrementAndGet);
        channel.advanceTimeBy(AppStream.CREDIT_STALL_TIMEOUT.toSeconds() - 1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(stream.isOpen()).isTrue();

        channel.advanceTimeBy(2, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(stream.isOpen()).isFalse();
        RelayFrame close = sent();
        assertThat(close.getClose().getReason()).isEqualTo(CloseReason.SLOW_CONSUMER);
        stream.granted(1000);
        assertThat(resumed).as("a closed stream resumes nothing").hasValue(0);
    }

    @Test
    void aGrantInTimeCancelsTheStallCheck() throws Exception {
        AppStream stream = stream(OptionalLong.of(100));
        stream.pushEvent(new byte[200]);
        sent();
        stream.whenReplayable(resumed::incrementAndGet);
        stream.granted(200);
        channel.advanceTimeBy(AppStream.CREDIT_STALL_TIMEOUT.toSeconds() + 1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(stream.isOpen()).isTrue();
        assertThat(resumed).hasValue(1);
    }

    @Test
    void callsHeldWhileTheStreamWaitsComeOutInOrderAndAreBounded() {
        AppStream stream = stream(OptionalLong.empty());
        assertThat(stream.holdsCalls()).isFalse();
        assertThat(stream.releaseCalls()).isEmpty();
        stream.holdCalls();
        for (int i = 0; i < AppStream.MAX_HELD_CALLS; i++) {
            assertThat(stream.hold(new byte[] {(byte) i})).isTrue();
        }
        assertThat(stream.hold(new byte[] {-1})).as("one past the bound").isFalse();
        assertThat(stream.releaseCalls()).hasSize(AppStream.MAX_HELD_CALLS)
                .first().satisfies(call -> assertThat(call).containsExactly(0));
        assertThat(stream.holdsCalls()).isFalse();
    }

    @Test
    void anHttpRequestsCallRefusedBeforeRunningGoesBackToItsPresentationServerAsNotOwner() throws Exception {
        AppStream request = new AppStream(channel, 5, StreamKind.REQUEST, Caller.of(7, 42, "phone"), "chat",
                WireProtocol.COMPACT, OptionalLong.empty(), connection);

        assertThat(request.handBackMoved("not owned here")).isTrue();

        RelayFrame close = sent();
        assertThat(close.getClose().getStreamId()).isEqualTo(5);
        assertThat(close.getClose().getReason()).isEqualTo(CloseReason.NOT_OWNER);
        assertThat(request.isOpen()).isFalse();
    }

    @Test
    void aSessionKeepsItsStreamAndHasTheRefusalReplied() {
        AppStream session = stream(OptionalLong.empty());

        assertThat(session.handBackMoved("not owned here")).isFalse();

        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(session.isOpen()).isTrue();
    }
}
