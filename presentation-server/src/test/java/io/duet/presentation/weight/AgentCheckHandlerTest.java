package io.duet.presentation.weight;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AgentCheckHandlerTest {
    @Test
    void answersOneLineOnConnectAndCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new AgentCheckHandler(() -> "ready 42%\n"));
        assertThat(readLine(channel)).isEqualTo("ready 42%\n");
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void eachConnectionHearsTheReplyOfItsMoment() {
        AtomicReference<String> reply = new AtomicReference<>("ready 100%\n");
        AgentCheckHandler handler = new AgentCheckHandler(reply::get);
        EmbeddedChannel first = new EmbeddedChannel(handler);
        reply.set("drain\n");
        EmbeddedChannel second = new EmbeddedChannel(handler);
        assertThat(readLine(first)).isEqualTo("ready 100%\n");
        assertThat(readLine(second)).isEqualTo("drain\n");
    }

    @Test
    void whatTheCheckerSendsIsReleasedAndIgnored() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new AgentCheckHandler(() -> "ready 10%\n"));
        // In a pipeline added after activation, the handler has not answered yet: input first.
        ByteBuf sent = Unpooled.copiedBuffer("hello agent\n", StandardCharsets.US_ASCII);
        channel.writeInbound(sent);
        assertThat(sent.refCnt()).isZero();
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    private static String readLine(EmbeddedChannel channel) {
        ByteBuf out = channel.readOutbound();
        try {
            return out.toString(StandardCharsets.US_ASCII);
        } finally {
            out.release();
        }
    }
}
