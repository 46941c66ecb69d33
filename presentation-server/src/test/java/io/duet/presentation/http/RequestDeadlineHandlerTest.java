package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestDeadlineHandlerTest {
    /** The backstop of a 30 s reply timeout. */
    private static final Duration BACKSTOP = Duration.ofSeconds(30).plus(RequestDeadlineHandler.BACKSTOP_MARGIN);
    private final EmbeddedChannel channel = new EmbeddedChannel();

    RequestDeadlineHandlerTest() {
        channel.freezeTime();
        channel.pipeline().addLast(new RequestDeadlineHandler(Duration.ofSeconds(30), Duration.ofSeconds(30), BACKSTOP));
    }

    @AfterEach
    void release() {
        channel.finishAndReleaseAll();
    }

    private void elapse(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aBodyTrickledPastTheDeadlineGets408AndTheConnectionCloses() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        elapse(20);
        channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] {1})));
        elapse(0);
        assertThat((Object) channel.readOutbound()).as("still within the deadline").isNull();

        elapse(11);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_TIMEOUT);
        response.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestReceivedInTimeIsNotInterruptedWhileItWaitsForItsReply() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        elapse(34);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aRequestThatNeverGetsAResponseHasItsConnectionClosedByTheBackstop() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        elapse(BACKSTOP.toSeconds() - 1);
        assertThat(channel.isOpen()).as("within the reply timeout and the margin").isTrue();
        elapse(1);
        assertThat((Object) channel.readOutbound()).as("closed without a word").isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aResponseDisarmsTheBackstop() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        elapse(BACKSTOP.toSeconds() - 1);
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ((FullHttpResponse) channel.readOutbound()).release();
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        elapse(2);
        assertThat(channel.isOpen()).as("the next request's body is within its own deadline").isTrue();
    }

    @Test
    void headersTrickledByteByByteAreCutOffThirtySecondsAfterTheAccept() {
        // The real codec in front: every byte of an unfinished head reaches it, none reaches the deadline.
        EmbeddedChannel http = new EmbeddedChannel();
        http.freezeTime();
        http.pipeline().addLast(new HttpServerCodec(),
                new RequestDeadlineHandler(Duration.ofSeconds(30), Duration.ofSeconds(30), BACKSTOP));
        byte[] head = "POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        for (int second = 0; second < 29; second++) {
            http.writeInbound(Unpooled.wrappedBuffer(new byte[] {head[second % head.length]}));
            http.advanceTimeBy(1, TimeUnit.SECONDS);
            http.runScheduledPendingTasks();
            assertThat(http.isOpen()).as("open after %d s", second + 1).isTrue();
        }
        http.writeInbound(Unpooled.wrappedBuffer(new byte[] {'a'}));
        http.advanceTimeBy(1, TimeUnit.SECONDS);
        http.runScheduledPendingTasks();
        assertThat(http.isOpen()).as("closed 30 s after the accept, bytes notwithstanding").isFalse();
        http.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatNeverSendsAnythingIsClosed() {
        elapse(29);
        assertThat(channel.isOpen()).isTrue();
        elapse(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aKeptAliveConnectionHasTheHeaderTimeoutFromItsLastResponse() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        elapse(34);
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ((FullHttpResponse) channel.readOutbound()).release();
        elapse(29);
        assertThat(channel.isOpen()).as("idle for 29 s after the response").isTrue();
        elapse(1);
        assertThat(channel.isOpen()).as("idle for 30 s after the response").isFalse();
    }

    @Test
    void theNextRequestsHeadStopsTheIdleTimer() {
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        ((FullHttpResponse) channel.readOutbound()).release();
        elapse(20);
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/v1/chat"));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        elapse(34);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aHundredContinueIsNotTheAnswerThatEndsTheRequestsDeadlines() {
        // The real codec and aggregator around it: the aggregator writes "100 Continue" through the deadline.
        EmbeddedChannel http = new EmbeddedChannel();
        http.freezeTime();
        http.pipeline().addLast(new HttpServerCodec(),
                new RequestDeadlineHandler(Duration.ofSeconds(30), Duration.ofSeconds(30), BACKSTOP),
                new HttpObjectAggregator(1024));
        http.writeInbound(Unpooled.copiedBuffer("POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                + "Expect: 100-continue\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat(outbound(http)).as("the aggregator's interim answer").startsWith("HTTP/1.1 100 Continue");
        http.writeInbound(Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII));
        ((FullHttpRequest) http.readInbound()).release();
        http.advanceTimeBy(BACKSTOP.toSeconds() - 1, TimeUnit.SECONDS);
        http.runScheduledPendingTasks();
        assertThat(http.isOpen()).as("waiting for its reply").isTrue();
        http.advanceTimeBy(1, TimeUnit.SECONDS);
        http.runScheduledPendingTasks();
        assertThat(http.isOpen()).as("no response after the 100 Continue: the backstop closes it").isFalse();
        http.finishAndReleaseAll();
    }

    @Test
    void afterARealResponseToAHundredContinueRequestTheIdleTimerRunsAgain() {
        EmbeddedChannel http = new EmbeddedChannel();
        http.freezeTime();
        http.pipeline().addLast(new HttpServerCodec(),
                new RequestDeadlineHandler(Duration.ofSeconds(30), Duration.ofSeconds(30), BACKSTOP),
                new HttpObjectAggregator(1024));
        http.writeInbound(Unpooled.copiedBuffer("POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                + "Expect: 100-continue\r\n\r\n{}", StandardCharsets.US_ASCII));
        outbound(http);
        ((FullHttpRequest) http.readInbound()).release();
        http.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        outbound(http);
        http.advanceTimeBy(29, TimeUnit.SECONDS);
        http.runScheduledPendingTasks();
        assertThat(http.isOpen()).as("idle for 29 s after the response").isTrue();
        http.advanceTimeBy(1, TimeUnit.SECONDS);
        http.runScheduledPendingTasks();
        assertThat(http.isOpen()).as("idle for 30 s after the response: the header timeout closes it").isFalse();
        http.finishAndReleaseAll();
    }

    /** What the server wrote so far, as text. */
    private static String outbound(EmbeddedChannel http) {
        StringBuilder text = new StringBuilder();
        for (Object written; (written = http.readOutbound()) != null; ) {
            io.netty.buffer.ByteBuf bytes = (io.netty.buffer.ByteBuf) written;
            text.append(bytes.toString(StandardCharsets.US_ASCII));
            bytes.release();
        }
        return text.toString();
    }
}
