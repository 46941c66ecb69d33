package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientSilenceTest {
    private final List<Object> events = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ClientSilence(10, TimeUnit.SECONDS),
            new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                    events.add(event);
                }
            });

    private void elapse(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runPendingTasks();
        channel.runScheduledPendingTasks();
    }

    @Test
    void aClientSilentForTheTimeoutIsReportedOnce() {
        elapse(9);
        assertThat(events).isEmpty();
        elapse(1);
        assertThat(events).containsExactly(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        elapse(30);
        assertThat(events).as("once").hasSize(1);
    }

    @Test
    void eachReadStartsTheTimeoutAgain() {
        elapse(8);
        channel.writeInbound("ping");
        elapse(8);
        channel.writeInbound("ping");
        elapse(8);
        assertThat(events).isEmpty();
        elapse(2);
        assertThat(events).containsExactly(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    }

    @Test
    void aClosedConnectionHasNoTimerLeft() {
        channel.close();
        assertThat(channel.runScheduledPendingTasks()).as("nanoseconds to the next timer; -1: none").isEqualTo(-1);
        elapse(60);
        assertThat(events).isEmpty();
    }
}
