package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.duet.protocol.api.PollEventsRequest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The {@code Retry-After} of a refused HTTP call reaches the caller, read in either of its forms. */
class RetryAfterHeaderTest {
    private static final Clock NOON = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void secondsAndDatesAreRead() {
        assertThat(RetryAfterHeader.millis("2", NOON)).isEqualTo(2_000);
        assertThat(RetryAfterHeader.millis(" 0 ", NOON)).isZero();
        assertThat(RetryAfterHeader.millis("Fri, 27 Nov 2026 12:00:05 GMT", NOON)).isEqualTo(5_000);
        assertThat(RetryAfterHeader.millis("Fri, 27 Nov 2026 11:00:00 GMT", NOON)).as("past: at once").isZero();
        assertThat(RetryAfterHeader.millis("-3", NOON)).isEqualTo(-1);
        assertThat(RetryAfterHeader.millis("soon", NOON)).isEqualTo(-1);
        assertThat(RetryAfterHeader.millis("99999999999999999999", NOON)).isEqualTo(-1);
    }

    @Test
    void aPollRefusedWith429CarriesItsRetryAfter() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/feed", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Retry-After", "2");
            exchange.sendResponseHeaders(429, -1);
            exchange.close();
        });
        server.start();
        try {
            DuetHttp http = new DuetHttp(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "device");
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                    () -> http.pollEvents("token", new PollEventsRequest(0)));

            assertThat(failure).isInstanceOf(HttpRefusedException.class);
            assertThat(((HttpRefusedException) failure).status()).isEqualTo(429);
            assertThat(((HttpRefusedException) failure).retryAfterMillis()).isEqualTo(2_000);
        } finally {
            server.stop(0);
        }
    }
}
