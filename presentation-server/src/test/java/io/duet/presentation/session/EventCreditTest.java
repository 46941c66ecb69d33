package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.process.metrics.FanOutLag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventCreditTest {
    private final List<Long> grants = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Timer fanOutLag = FanOutLag.timer(registry, FanOutLag.RELAY_TO_CLIENT);

    @Test
    void returnsWrittenBytesInGrantsOfAQuarterWindow() {
        EventCredit credit = new EventCredit(1000, grants::add);
        credit.written(100);
        credit.written(100);
        assertThat(grants).isEmpty();
        credit.written(60);
        assertThat(grants).containsExactly(260L);
        credit.written(249);
        credit.written(1);
        assertThat(grants).containsExactly(260L, 250L);
    }

    @Test
    void neverHoldsBackAQuarterWindowOrMore() {
        EventCredit credit = new EventCredit(1000, grants::add);
        long written = 0;
        for (int size : new int[] {7, 300, 13, 120, 999, 1, 64, 250, 3}) {
            credit.written(size);
            written += size;
            long returned = grants.stream().mapToLong(Long::longValue).sum();
            assertThat(written - returned).isBetween(0L, 249L);
        }
    }

    @Test
    void creditComesBackOnlyOnceTheEventIsWrittenToTheClient() {
        EmbeddedChannel client = new EmbeddedChannel();
        EventCredit credit = new EventCredit(4, grants::add);
        client.config().setAutoRead(false);
        ByteBuf event = Unpooled.wrappedBuffer(new byte[10]);
        client.write(event).addListener(credit.returnWhenWritten(10, fanOutLag));
        assertThat(grants).as("queued, not yet written").isEmpty();
        client.flush();
        assertThat(grants).containsExactly(10L);
        ((ByteBuf) client.readOutbound()).release();

        client.close();
        ByteBuf lost = Unpooled.wrappedBuffer(new byte[10]);
        client.writeAndFlush(lost).addListener(credit.returnWhenWritten(10, fanOutLag));
        assertThat(grants).as("a failed write returns nothing").containsExactly(10L);
    }

    @Test
    void theFanOutLagRunsFromTheEventReadToItsWriteCompletingAndAFailedWriteIsNotTimed() throws Exception {
        EmbeddedChannel client = new EmbeddedChannel();
        EventCredit credit = new EventCredit(1000, grants::add);
        ByteBuf event = Unpooled.wrappedBuffer(new byte[10]);
        client.write(event).addListener(credit.returnWhenWritten(10, fanOutLag));
        Thread.sleep(20);
        assertThat(fanOutLag.count()).as("not written yet").isZero();
        client.flush();
        ((ByteBuf) client.readOutbound()).release();

        assertThat(fanOutLag.count()).isEqualTo(1);
        assertThat(fanOutLag.max(TimeUnit.MILLISECONDS)).as("from the read, not from the flush").isBetween(20.0,
                10_000.0);
        assertThat(registry.get("duet.event.fanout.lag").tag("stage", "relay-to-client").timer()).isSameAs(fanOutLag);

        client.close();
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[10])).addListener(credit.returnWhenWritten(10, fanOutLag));
        assertThat(fanOutLag.count()).as("a failed write is not timed").isEqualTo(1);
    }
}
