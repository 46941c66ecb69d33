package io.duet.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AcceptErrorHandlerTest {
    @Test
    void aFailedAcceptPausesAcceptingThenResumes() {
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrorHandler("test", Duration.ofMillis(500)));
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));

        assertThat(listener.config().isAutoRead()).isFalse();
        listener.checkException(); // handled, not passed on to the end of the pipeline
        listener.advanceTimeBy(400, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertThat(listener.config().isAutoRead()).isFalse();
        listener.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertThat(listener.config().isAutoRead()).isTrue();
        assertThat(listener.isOpen()).isTrue();
        listener.finishAndReleaseAll();
    }

    @Test
    void failuresDuringAPauseDoNotExtendIt() {
        EmbeddedChannel listener = new EmbeddedChannel(new AcceptErrorHandler("test", Duration.ofMillis(500)));
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        listener.advanceTimeBy(300, TimeUnit.MILLISECONDS);
        listener.pipeline().fireExceptionCaught(new IOException("Too many open files"));
        listener.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        listener.runScheduledPendingTasks();
        assertThat(listener.config().isAutoRead()).isTrue();
        listener.finishAndReleaseAll();
    }
}
