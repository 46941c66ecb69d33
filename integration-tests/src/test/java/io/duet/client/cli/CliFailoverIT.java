package io.duet.client.cli;

import static io.duet.it.PresentationSessions.awaitNewSession;
import static io.duet.it.PresentationSessions.bringBackEveryPresentationServer;
import static io.duet.it.PresentationSessions.sessionsByServer;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.it.PrivateCluster;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code duet chat} as a user runs it, through the cluster's one endpoint, when the presentation server it
 * is connected through dies (kill -9): it says once that the connection is lost and once that it is
 * back, every line typed meanwhile reaches the partner once and in order, and leaving with lines that
 * cannot be sent names them and exits with status 4, never with a stack trace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the test that kills every presentation server last
class CliFailoverIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster();

    @TempDir
    Path home;

    @Test
    @Order(1)
    void theChatReconnectsThroughTheEndpointWhenItsServerIsKilledAndEveryTypedLineArrivesOnceInOrder() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        writeProfile(cluster, "ann", couple.ann);
        Map<String, Long> baseline = sessionsByServer(cluster);
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient bob = couple.connectThroughEndpoint(couple.bob, bobHears, 0)) {
            Node bobServer = awaitNewSession(cluster, baseline);
            baseline = sessionsByServer(cluster);
            InProcessChat ann = new InProcessChat(cluster, "ann");
            ann.awaitOutput("Chatting with Bob");
            Node annServer = awaitNewSession(cluster, baseline);
            assertThat(annServer).as("the fewest connections: Ann's chat goes to the other server").isNotEqualTo(bobServer);

            List<String> typed = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                if (i == 20) {
                    annServer.kill();
                }
                String line = "line " + i + " from the chat";
                typed.add(line);
                ann.type(line);
                Thread.sleep(20);
            }
            ann.awaitOutput("(reconnected");
            ann.type("/quit");
            int status = ann.awaitExit();
            String out = ann.output();
            System.out.println("Ann's chat, killing " + annServer + " after 20 of 60 lines:\n" + out);

            assertThat(status).as(out).isZero();
            bobHears.awaitMessages(typed.size(), WAIT);
            Thread.sleep(300);
            List<String> bobGot = bobHears.snapshot().stream()
                    .filter(message -> message.getSenderId() == couple.ann.getUserId()).map(Message::getText).toList();
            assertThat(bobGot).as("every typed line, once, in order").isEqualTo(typed);
            assertThat(bobHears.snapshot()).extracting(Message::getSeq).isSorted().doesNotHaveDuplicates();
            for (String line : typed) {
                assertThat(out.split(Pattern.quote("you: " + line + "\n"), -1)).as("echoed once: " + line).hasSize(2);
            }
            assertThat(out.split(Pattern.quote("(connection lost: "), -1)).as("the loss is told once").hasSize(2);
            assertThat(out).containsPattern("\\(reconnected; sending \\d+ messages? waiting\\)")
                    .doesNotContain("(not sent").doesNotContain("not sent:").doesNotContain("Exception");
        }
    }

    @Test
    @Order(2)
    void ctrlCWithLinesThatCannotBeSentNamesThemAndExitsWithStatus4() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        bringBackEveryPresentationServer(cluster);
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        writeProfile(cluster, "ann", couple.ann);
        // env resets SIGINT to its default: a test run started as a background job of a non-interactive shell
        // inherits it ignored, and a JVM that starts with SIGINT ignored installs no handler for it (JLine's
        // registration then silently does nothing), so the Ctrl-C below would never reach the chat.
        Process chat = new ProcessBuilder("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile=duet-cli-logback.xml",
                DuetCli.class.getName(), "--home", home.toString(), "--profile", "ann", "chat").start();
        try {
            StringBuffer out = drain(chat.getInputStream());
            StringBuffer err = drain(chat.getErrorStream());
            OutputStream typing = chat.getOutputStream();
            RecordingListener.await(WAIT, "the chat to start: " + out + err, () -> out.toString().contains("Chatting with Bob"));
            for (Node server : cluster.presentationServers()) {
                server.kill();
            }
            RecordingListener.await(WAIT, "the chat to see its connection lost: " + out,
                    () -> out.toString().contains("(connection lost: "));
            typing.write("first\nsecond\nthird\n/pending\n".getBytes(StandardCharsets.UTF_8));
            typing.flush();
            RecordingListener.await(WAIT, "/pending to list 3: " + out,
                    () -> out.toString().contains("(3 messages waiting to be sent:\n  first\n  second\n  third)"));

            long interrupted = System.nanoTime();
            assertThat(new ProcessBuilder("kill", "-INT", Long.toString(chat.pid())).start().waitFor()).isZero();
            assertThat(chat.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the chat exits: " + out + err).isTrue();
            long tookMillis = (System.nanoTime() - interrupted) / 1_000_000;
            System.out.println("Ann's chat, Ctrl-C with no server up (exit " + chat.exitValue() + " after " + tookMillis
                    + " ms):\n" + out + err);

            assertThat(chat.exitValue()).as(out + "" + err).isEqualTo(ChatScreen.EXIT_UNSENT);
            assertThat(tookMillis).as("waited briefly for the lines, then gave up").isBetween(2_900L, 10_000L);
            assertThat(out.toString()).contains("(sending 3 messages before leaving; Ctrl-C to leave now)")
                    .endsWith("3 messages were not sent:\n  first\n  second\n  third\n")
                    .doesNotContain("(not sent");
            assertThat(out.toString() + err).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(out.toString().split(Pattern.quote("(still reconnecting"), -1)).hasSizeLessThanOrEqualTo(2);
        } finally {
            chat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A CLI profile holding {@code session}, for the cluster's one endpoint. */
    private void writeProfile(LocalCluster cluster, String name, Session session) throws IOException {
        Profile profile = Profile.load(home, name);
        profile.remember(session);
        profile.set("http", cluster.clientEndpoint().http().toString());
        profile.set("tcp", "127.0.0.1:" + cluster.clientEndpoint().tcp().getPort());
        profile.save();
    }

    /** Everything a stream says, read on a daemon thread of its own. */
    private static StringBuffer drain(InputStream stream) {
        StringBuffer text = new StringBuffer();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = stream.read(buffer)) > 0) {
                    text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                text.append("(cannot read: ").append(e).append(')');
            }
        }, "chat-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    /** {@code duet chat} run in this JVM, through {@link DuetCli#run}, with its input typed through a pipe. */
    private final class InProcessChat {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();
        private final PipedOutputStream typing;
        private final CompletableFuture<Integer> status;

        InProcessChat(LocalCluster cluster, String profile) throws IOException {
            PipedInputStream in = new PipedInputStream(64 * 1024);
            typing = new PipedOutputStream(in);
            String[] args = {"--home", home.toString(), "--profile", profile, "chat"};
            DuetCli cli = new DuetCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), in, Map.of());
            status = CompletableFuture.supplyAsync(() -> cli.run(args));
        }

        void type(String line) throws IOException {
            typing.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            typing.flush();
        }

        void awaitOutput(String text) throws InterruptedException {
            RecordingListener.await(WAIT, "'" + text + "' in " + output(), () -> output().contains(text));
        }

        int awaitExit() throws Exception {
            try {
                return status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                typing.close();
            }
        }

        String output() {
            return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        }
    }
}
