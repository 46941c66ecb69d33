package io.duet.process.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Routing, statuses and bodies of the admin port, request by request on an {@link EmbeddedChannel}. */
class AdminHandlerTest {
    private final AtomicReference<Optional<String>> whyNotReady = new AtomicReference<>(Optional.empty());
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(whyNotReady::get, registry));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        registry.close();
    }

    private FullHttpResponse request(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response to %s %s", method, uri).isNotNull();
        return response;
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    @Test
    void liveIs200WithLive() {
        FullHttpResponse response = request(HttpMethod.GET, "/live");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(5);
        assertThat(body(response)).isEqualTo("live\n");
        assertThat(channel.isOpen()).as("HTTP/1.1 keeps the connection").isTrue();
    }

    @Test
    void readyIs200WhileTheCheckFindsNothingWrong() {
        FullHttpResponse response = request(HttpMethod.GET, "/ready");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(response)).isEqualTo("ready\n");
    }

    @Test
    void readyIs503WithTheReasonInOneLine() {
        whyNotReady.set(Optional.of("ZooKeeper connection SUSPENDED"));
        FullHttpResponse response = request(HttpMethod.GET, "/ready");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(response)).isEqualTo("ZooKeeper connection SUSPENDED\n");

        whyNotReady.set(Optional.of("  two\nlines\tand " + "x".repeat(500)));
        String reason = body(request(HttpMethod.GET, "/ready"));
        assertThat(reason).startsWith("two lines and xxx").endsWith("...\n").hasLineCount(1);
        assertThat(reason.length()).isEqualTo(AdminHandler.MAX_REASON_LENGTH + 1);

        whyNotReady.set(Optional.empty());
        assertThat(request(HttpMethod.GET, "/ready").status()).as("ready again").isEqualTo(HttpResponseStatus.OK);
    }

    @Test
    void aFailingReadinessCheckIs503NotAnError() {
        EmbeddedChannel failing = new EmbeddedChannel(new AdminHandler(() -> {
            throw new IllegalStateException("boom");
        }, registry));
        failing.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ready"));
        FullHttpResponse response = failing.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(response)).contains("readiness check failed").contains("boom");
        assertThat(failing.isOpen()).isTrue();
        failing.finishAndReleaseAll();
    }

    @Test
    void metricsIsThePrometheusTextOfTheRegistry() {
        AtomicLong ranges = new AtomicLong(3);
        FunctionCounter.builder("duet.catchup.missing.ranges", ranges, AtomicLong::get).register(registry);
        Gauge.builder("duet.couples.loaded", () -> 7).register(registry);
        Counter.builder("duet.test.events").register(registry).increment(2);

        FullHttpResponse response = request(HttpMethod.GET, "/metrics");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(AdminHandler.METRICS_CONTENT_TYPE);
        String text = body(response);
        assertThat(text).contains("# TYPE duet_catchup_missing_ranges_total counter")
                .contains("duet_catchup_missing_ranges_total 3.0")
                .contains("duet_couples_loaded 7.0")
                .contains("duet_test_events_total 2.0");

        ranges.set(5);
        assertThat(body(request(HttpMethod.GET, "/metrics"))).as("read afresh at every scrape")
                .contains("duet_catchup_missing_ranges_total 5.0");
    }

    @Test
    void aQueryStringDoesNotChangeTheRoute() {
        assertThat(body(request(HttpMethod.GET, "/live?probe=1"))).isEqualTo("live\n");
    }

    @Test
    void unknownPathsAre404WhateverTheMethod() {
        for (String uri : new String[] {"/", "/health", "/live/", "/metrics.txt", "/READY"}) {
            FullHttpResponse response = request(HttpMethod.GET, uri);
            assertThat(response.status()).as(uri).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(body(response)).contains("/live, /ready, /metrics or /status");
        }
        FullHttpResponse post = request(HttpMethod.POST, "/nothing");
        assertThat(post.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        post.release();
    }

    @Test
    void otherMethodsOnKnownPathsAre405WithAllowGet() {
        for (HttpMethod method : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.HEAD}) {
            for (String uri : new String[] {"/live", "/ready", "/metrics"}) {
                FullHttpResponse response = request(method, uri);
                assertThat(response.status()).as("%s %s", method, uri).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
                assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
                response.release();
            }
        }
    }

    @Test
    void connectionCloseIsHonoured() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/live");
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        response.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aMalformedRequestIs400AndClosesTheConnection() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/live",
                Unpooled.EMPTY_BUFFER);
        request.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        channel.writeInbound(request);
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        response.release();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void oneLineKeepsShortReasonsAndNamesAnEmptyOne() {
        assertThat(AdminHandler.oneLine("stopping")).isEqualTo("stopping");
        assertThat(AdminHandler.oneLine(" ")).isEqualTo("not ready");
        assertThat(AdminHandler.oneLine(null)).isEqualTo("not ready");
    }
}
