package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.SendMessageResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link DuetClient#pendingSends()}, with no server listening: sends wait, are counted, and fail on close. */
class DuetClientPendingSendsTest {

    @Test
    void sendsWaitingForAConnectionAreCountedUntilTheCloseFailsThem() throws Exception {
        DuetClient client = DuetClient.builder()
                .server(deadAddress())
                .token("token")
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .build();
        try {
            client.connect();
            List<CompletableFuture<SendMessageResult>> sends = List.of(client.send("one"), client.send("two"),
                    client.send("three"));
            assertThat(client.pendingSends()).isEqualTo(3);
            CompletableFuture<SendMessageResult> blank = client.send("  ");
            assertThat(blank).isCompletedExceptionally();
            assertThat(client.pendingSends()).as("a send refused at once is never pending").isEqualTo(3);

            AtomicInteger seenByCallback = new AtomicInteger(-1);
            sends.get(2).whenComplete((result, failure) -> seenByCallback.set(client.pendingSends()));
            Thread.sleep(300); // several failed attempts to connect
            assertThat(client.state()).isNotEqualTo(ConnectionState.CONNECTED);
            assertThat(client.pendingSends()).isEqualTo(3);
            assertThat(sends).noneMatch(CompletableFuture::isDone);

            client.close();
            for (CompletableFuture<SendMessageResult> send : sends) {
                assertThat(send).isCompletedExceptionally();
                try {
                    send.get(0, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(DuetClientException.class).hasMessage("client closed");
                }
            }
            assertThat(client.pendingSends()).isZero();
            assertThat(seenByCallback.get()).as("a callback sees its own send no longer pending").isLessThan(3);
            CompletableFuture<SendMessageResult> late = client.send("after the close");
            assertThat(late).failsWithin(Duration.ofSeconds(5));
            assertThat(client.pendingSends()).isZero();
        } finally {
            client.close();
        }
    }

    /** A local port nothing listens on. */
    static InetSocketAddress deadAddress() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }
}
