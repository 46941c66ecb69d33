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
    void aClientSilentPastThePingIntervalGoesQuietThenIsHeardAgainThenTimesOut() {
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel quiet = new EmbeddedChannel(new ClientSilence(60, 20, TimeUnit.SECONDS),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        seen.add(event);
                    }
                });
        quiet.freezeTime();
        Runnable elapse = () -> {
            quiet.runPendingTasks();
            quiet.runScheduledPendingTasks();
        };
        // Pings every 15 s: never quiet.
        for (int i = 0; i < 4; i++) {
            quiet.advanceTimeBy(15, TimeUnit.SECONDS);
            elapse.run();
            quiet.writeInbound("ping");
        }
        assertThat(seen).isEmpty();

        quiet.advanceTimeBy(19, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).isEmpty();
        quiet.advanceTimeBy(1, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).hasSize(1);
        assertThat(((ClientQuiet) seen.get(0)).silentMillis).isEqualTo(20_000);
        quiet.advanceTimeBy(10, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).as("quiet once").hasSize(1);

        quiet.writeInbound("ping");
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isSameAs(ClientQuiet.HEARD);

        // Silent again: quiet after 20 s, and closed as idle after 60 s of silence.
        quiet.advanceTimeBy(20, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).hasSize(3);
        assertThat(((ClientQuiet) seen.get(2)).silentMillis).isEqualTo(20_000);
        quiet.advanceTimeBy(39, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).hasSize(3);
        quiet.advanceTimeBy(1, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).hasSize(4);
        assertThat(seen.get(3)).isEqualTo(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
        quiet.advanceTimeBy(120, TimeUnit.SECONDS);
        elapse.run();
        assertThat(seen).as("nothing after the idle timeout").hasSize(4);
        quiet.finishAndReleaseAll();
    }

    @Test
    void aClosedConnectionHasNoTimerLeft() {
        channel.close();
        assertThat(channel.runScheduledPendingTasks()).as("nanoseconds to the next timer; -1: none").isEqualTo(-1);
        elapse(60);
        assertThat(events).isEmpty();
    }
}
