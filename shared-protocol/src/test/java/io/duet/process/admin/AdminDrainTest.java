package io.duet.process.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.process.admin.DrainStatus.Phase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code POST /drain} and {@code GET /drain} of a server that can drain, and their absence elsewhere. */
class AdminDrainTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<DrainStatus> status =
            new AtomicReference<>(DrainStatus.of(Phase.NOT_STARTED, "serving 3 client sessions"));
    private final AtomicInteger starts = new AtomicInteger();
    private final DrainControl drain = new DrainControl() {
        @Override
        public DrainStatus startDrain() {
            starts.incrementAndGet();
            return status.updateAndGet(now -> now.phase() == Phase.NOT_STARTED
                    ? DrainStatus.of(Phase.DRAINING, "3 client sessions left") : now);
        }

        @Override
        public DrainStatus drainStatus() {
            return status.get();
        }
    };
    private final EmbeddedChannel channel = new EmbeddedChannel(new AdminHandler(Optional::empty, registry, drain));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        registry.close();
    }

    private FullHttpResponse request(EmbeddedChannel on, HttpMethod method, String uri) {
        on.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse response = on.readOutbound();
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
    void getBeforeADrainIs409AndStartsNothing() {
        FullHttpResponse response = request(channel, HttpMethod.GET, "/drain");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.CONFLICT);
        assertThat(body(response)).isEqualTo("not draining: serving 3 client sessions\n");
        assertThat(starts).hasValue(0);
    }

    @Test
    void postStartsTheDrainWith202AndGetIs503UntilDrainedThen200() {
        FullHttpResponse started = request(channel, HttpMethod.POST, "/drain");
        assertThat(started.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(body(started)).isEqualTo("draining: 3 client sessions left\n");
        assertThat(starts).hasValue(1);

        FullHttpResponse draining = request(channel, HttpMethod.GET, "/drain");
        assertThat(draining.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(body(draining)).isEqualTo("draining: 3 client sessions left\n");

        status.set(DrainStatus.of(Phase.DRAINED, "no client sessions left after 1200 ms"));
        FullHttpResponse drained = request(channel, HttpMethod.GET, "/drain");
        assertThat(drained.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(body(drained)).isEqualTo("drained: no client sessions left after 1200 ms\n");
        FullHttpResponse again = request(channel, HttpMethod.POST, "/drain");
        assertThat(again.status()).as("a second POST changes nothing").isEqualTo(HttpResponseStatus.OK);
        again.release();
    }

    @Test
    void otherMethodsAre405WithAllowGetAndPost() {
        FullHttpResponse response = request(channel, HttpMethod.PUT, "/drain");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, POST");
        response.release();
        assertThat(starts).hasValue(0);
    }

    @Test
    void aServerThatCannotDrainAnswers404() {
        EmbeddedChannel plain = new EmbeddedChannel(new AdminHandler(Optional::empty, registry));
        try {
            for (HttpMethod method : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST}) {
                FullHttpResponse response = request(plain, method, "/drain");
                assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
                assertThat(body(response)).doesNotContain("/drain");
            }
        } finally {
            plain.finishAndReleaseAll();
        }
        FullHttpResponse unknown = request(channel, HttpMethod.GET, "/nothing");
        assertThat(body(unknown)).contains("/drain");
    }
}
