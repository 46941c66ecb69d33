package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class RelayBackpressureTest {
    @Test
    void theLinkIsNotReadWhileItsRepliesPileUpAndIsReadAgainOnceTheyDrain() {
        EmbeddedChannel link = new EmbeddedChannel();
        link.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        link.pipeline().addLast(new RelayConnectionHandler("app-1", null, null,
                new PresentationLinks(java.time.Clock.systemUTC()), new LongAdder()));
        assertThat(link.config().isAutoRead()).isTrue();

        link.write(Unpooled.wrappedBuffer(new byte[32])); // written, not yet flushed to the peer
        link.runPendingTasks();
        assertThat(link.isWritable()).isFalse();
        assertThat(link.config().isAutoRead()).as("past the high-water mark").isFalse();

        link.flush();
        link.runPendingTasks();
        assertThat(link.isWritable()).isTrue();
        assertThat(link.config().isAutoRead()).as("drained").isTrue();
        link.finishAndReleaseAll();
    }
}
