package io.duet.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat without a terminal, against a port nothing listens on: what it tells the user about lines
 * that cannot be sent, and how it leaves. (With a real cluster: CliFailoverIT, in integration-tests.)
 */
class ChatScreenTest {
    @TempDir
    Path home;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private PipedOutputStream typing;
    private CompletableFuture<Integer> chat;

    @BeforeEach
    void startChat() throws Exception {
        Profile profile = Profile.load(home, "ann");
        profile.set("token", "any token");
        profile.set("user.id", "1");
        profile.set("couple.id", "7");
        profile.set("partner.name", "Bob");
        PipedInputStream in = new PipedInputStream(64 * 1024);
        typing = new PipedOutputStream(in);
        InetSocketAddress nobody = deadAddress();
        ChatScreen screen = new ChatScreen(profile, nobody, null, new PrintStream(output, true, StandardCharsets.UTF_8));
        chat = CompletableFuture.supplyAsync(() -> {
            try {
                return screen.run(null, in);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("the first connect to fail", () -> output().contains("(not connected: "));
    }

    @AfterEach
    void endInput() throws Exception {
        typing.close();
        chat.get(30, TimeUnit.SECONDS);
    }

    @Test
    void quittingWithUnsentLinesWaitsBrieflyThenNamesThemAndExitsWithItsOwnStatus() throws Exception {
        type("hello\nworld\n/pending\n");
        await("/pending to answer", () -> output().contains("(2 messages waiting to be sent:\n  hello\n  world)"));
        long quit = System.nanoTime();
        type("/quit\n");
        int status = chat.get(20, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - quit);

        assertThat(status).as(output()).isEqualTo(ChatScreen.EXIT_UNSENT);
        assertThat(took).as("waited for the lines while nothing went out, briefly")
                .isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
        assertThat(output()).contains("(sending 2 messages before leaving; Ctrl-C to leave now)\n")
                .endsWith("2 messages were not sent:\n  hello\n  world\n")
                .doesNotContain("(not sent").doesNotContain("Exception");
        assertThat(output().split("\\(not connected: ", -1)).as("the failed attempts are told once").hasSize(2);
    }

    @Test
    void theEndOfInputLeavesLikeQuit() throws Exception {
        type("only line\n");
        typing.close();
        assertThat(chat.get(20, TimeUnit.SECONDS)).isEqualTo(ChatScreen.EXIT_UNSENT);
        assertThat(output()).endsWith("1 message was not sent:\n  only line\n");
    }

    @Test
    void leavingWithNothingPendingIsImmediateAndZero() throws Exception {
        type("/pending\n/quit\n");
        assertThat(chat.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(output()).contains("(nothing waiting").doesNotContain("was not sent").doesNotContain("were not sent");
    }

    private void type(String text) throws Exception {
        typing.write(text.getBytes(StandardCharsets.UTF_8));
        typing.flush();
    }

    private String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static InetSocketAddress deadAddress() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }
}
