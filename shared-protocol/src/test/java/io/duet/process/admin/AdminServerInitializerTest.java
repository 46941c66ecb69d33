package io.duet.process.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin pipeline as bytes on the wire: its limits and its idle timeout. */
class AdminServerInitializerTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new AdminServerInitializer(() -> Optional.of("starting"), registry, Duration.ofSeconds(30)));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        registry.close();
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        for (ByteBuf out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            response.append(out.toString(StandardCharsets.US_ASCII));
            out.release();
        }
        return response.toString();
    }

    @Test
    void requestsOnOneConnectionAreAnsweredInTurn() {
        assertThat(exchange("GET /live HTTP/1.1\r\nHost: admin\r\n\r\n")).startsWith("HTTP/1.1 200 OK").endsWith("live\n");
        assertThat(exchange("GET /ready HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 503 Service Unavailable").endsWith("starting\n");
        assertThat(exchange("DELETE /metrics HTTP/1.1\r\nHost: admin\r\n\r\n")).startsWith("HTTP/1.1 405");
        assertThat(exchange("GET /nope HTTP/1.1\r\nHost: admin\r\n\r\n")).startsWith("HTTP/1.1 404");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aBodyOverTheLimitIs413() {
        int tooLong = AdminServerInitializer.MAX_REQUEST_BODY_BYTES + 1;
        String response = exchange("POST /ready HTTP/1.1\r\nHost: admin\r\nContent-Length: " + tooLong + "\r\n\r\n"
                + "x".repeat(tooLong));
        assertThat(response).startsWith("HTTP/1.1 413");
    }

    @Test
    void headersOverTheLimitAre400AndCloseTheConnection() {
        String response = exchange("GET /live HTTP/1.1\r\nHost: admin\r\nX-Padding: "
                + "x".repeat(AdminServerInitializer.MAX_HEADER_BYTES) + "\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestLineOverTheLimitIs400() {
        String response = exchange("GET /" + "x".repeat(AdminServerInitializer.MAX_INITIAL_LINE_BYTES)
                + " HTTP/1.1\r\nHost: admin\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anIdleConnectionIsClosed() {
        EmbeddedChannel idle = new EmbeddedChannel();
        idle.freezeTime();
        idle.pipeline().addLast(new AdminServerInitializer(Optional::empty, registry, Duration.ofSeconds(30)));
        idle.advanceTimeBy(29, TimeUnit.SECONDS);
        idle.runScheduledPendingTasks();
        assertThat(idle.isOpen()).isTrue();
        idle.advanceTimeBy(2, TimeUnit.SECONDS);
        idle.runScheduledPendingTasks();
        assertThat(idle.isOpen()).isFalse();
        idle.finishAndReleaseAll();
    }
}
