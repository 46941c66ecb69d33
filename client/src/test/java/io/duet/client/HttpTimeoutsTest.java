package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.duet.protocol.api.PollEventsRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * {@link DuetHttp}'s calls against a server that accepts connections and never answers: each fails within the
 * read timeout the test sets (not the 30 s default) with an {@link HttpTimeoutException} that says so.
 */
class HttpTimeoutsTest {
    private static final Duration READ_TIMEOUT = Duration.ofMillis(300);
    private static final HttpTimeouts TIMEOUTS = HttpTimeouts.builder().connectTimeout(Duration.ofSeconds(2))
            .readTimeout(READ_TIMEOUT).build();

    private ServerSocket silent;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startASilentServer() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(silent.accept());
                }
            } catch (IOException closed) {
                // the test ended
            }
        }, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void stop() throws IOException {
        silent.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }

    private URI base(String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + silent.getLocalPort());
    }

    /** Runs {@code call}, which must fail with an {@link HttpTimeoutException} of {@code timeout} within it. */
    private void timesOut(ThrowingConsumer<Void> call, String expectedMessage, boolean connecting, Duration timeout) {
        long started = System.nanoTime();
        // Bounded here too, so that a call that would wait for the default timeouts (or for ever) fails the test.
        Throwable failure = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> catchThrowable(() -> call.accept(null)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(failure).isInstanceOf(HttpTimeoutException.class).hasMessage(expectedMessage);
        assertThat(((HttpTimeoutException) failure).connecting()).isEqualTo(connecting);
        assertThat(((HttpTimeoutException) failure).timeout()).isEqualTo(timeout);
        assertThat(((HttpTimeoutException) failure).getType()).isEqualTo(TTransportException.TIMED_OUT);
        assertThat(took).isBetween(timeout.minusMillis(50), Duration.ofSeconds(5));
        assertThat(accepted).as("connections the call made").isNotEmpty();
    }

    @Test
    void aCallOverItsOwnConnectionTimesOut() {
        DuetHttp http = new DuetHttp(base("http"), "device", TIMEOUTS);
        timesOut(none -> http.logIn("ann@example.com", "a password"),
                "POST " + base("http") + "/api/v1/account: no answer within the read timeout (300 ms)", false, READ_TIMEOUT);
    }

    @Test
    void aFeedPollOverThePooledConnectionsTimesOut() {
        DuetHttp http = new DuetHttp(base("http"), "device", TIMEOUTS);
        timesOut(none -> http.pollEvents("token", new PollEventsRequest(0)),
                "POST " + base("http") + "/api/v1/feed: no answer within the read timeout (300 ms)", false, READ_TIMEOUT);
    }

    @Test
    void anHttpsCallWhoseHandshakeIsNeverAnsweredFailsToConnectInTime() {
        Duration connectTimeout = Duration.ofMillis(500);
        DuetHttp http = new DuetHttp(base("https"), "device", DuetTls.systemTrust(),
                HttpTimeouts.builder().connectTimeout(connectTimeout).readTimeout(READ_TIMEOUT).build());
        timesOut(none -> http.readState("token"),
                "POST " + base("https") + "/api/v1/chat: could not connect within the connect timeout (500 ms)", true,
                connectTimeout);
    }

    @Test
    void aTimeoutIsToldApartWhileConnectingAndWhileReading() {
        assertThat(TimedHttpTransport.timedOutConnecting(new TTransportException(new ConnectTimeoutException("x"))))
                .isTrue();
        assertThat(TimedHttpTransport.timedOutConnecting(new TTransportException(
                new SocketTimeoutException("Connect timed out")))).isTrue();
        assertThat(TimedHttpTransport.timedOutConnecting(new TTransportException(
                new SocketTimeoutException("Read timed out")))).isFalse();
        assertThat(TimedHttpTransport.timedOutConnecting(new TTransportException(new IOException("reset")))).isNull();
    }

    @Test
    void timeoutsDefaultToFiveAndThirtySecondsAndMustBeAtLeastAMillisecond() {
        assertThat(HttpTimeouts.DEFAULTS.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(HttpTimeouts.DEFAULTS.readTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> HttpTimeouts.builder().readTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readTimeout: PT0S (expected: 1 ms to PT596H31M23.647S)");
        assertThatThrownBy(() -> HttpTimeouts.builder().connectTimeout(Duration.ofDays(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("connectTimeout: PT720H");
    }
}
