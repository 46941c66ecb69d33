package io.duet.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.it.SharedCluster;
import io.duet.it.TestCouple;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code duet} command line, run in-process against the local cluster, one profile per user. */
class CliIT {
    private static LocalCluster cluster;

    @TempDir
    Path home;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SharedCluster.get();
    }

    /** The outcome of one {@code duet} command. */
    private static final class Run {
        final int status;
        final String out;
        final String err;

        Run(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }
    }

    private Run duet(String profile, int server, String stdin, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--home", home.toString(), "--profile", profile,
                "--http", cluster.clientHttpEndpoint(server).toString(),
                "--tcp", "127.0.0.1:" + cluster.clientTcpEndpoint(server).getPort(),
                "--password", profile + "'s password"));
        args.addAll(List.of(command));
        int status = new DuetCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Map.of())
                .run(args.toArray(new String[0]));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void twoProfilesSignUpPairAndChat() {
        Run ann = duet("ann", 0, "", "signup", TestCouple.uniqueEmail("cli-ann"), "Ann");
        assertThat(ann.status).as(ann.err).isZero();
        assertThat(ann.out).startsWith("Signed up as Ann");
        assertThat(duet("bob", 1, "", "signup", TestCouple.uniqueEmail("cli-bob"), "Bob").status).isZero();

        Run invite = duet("ann", 0, "", "invite");
        Matcher code = Pattern.compile("Invite code: (\\S+)").matcher(invite.out);
        assertThat(code.find()).as(invite.out + invite.err).isTrue();
        Run accept = duet("bob", 1, "", "accept", code.group(1));
        assertThat(accept.out).as(accept.err).contains("Paired as Bob").contains("paired with Ann");

        assertThat(duet("ann", 0, "", "send", "hello", "from", "the", "cli").out).isEqualTo("Sent as message 1.\n");
        Run chat = duet("bob", 1, "hi Ann\n/quit\n", "chat");
        assertThat(chat.status).as(chat.err).isZero();
        assertThat(chat.out).contains("Chatting with Ann");

        Run history = duet("ann", 0, "", "history");
        assertThat(history.out).contains("1 [").contains("you: hello from the cli").contains("2 [").contains("Bob: hi Ann");
        assertThat(duet("ann", 0, "", "whoami").out).contains("with Bob");
    }

    @Test
    void mistakesGetClearMessagesAndNonZeroStatus() {
        assertThat(duet("eve", 0, "", "invite").err).contains("not logged in");
        assertThat(duet("eve", 0, "", "signup", "not-an-email", "Eve").err).contains("INVALID_ARGUMENT").contains("email");
        assertThat(duet("eve", 0, "", "signup", TestCouple.uniqueEmail("cli-eve"), "Eve").status).isZero();
        Run bad = duet("eve", 0, "", "accept", "ZZZZ-ZZZZ-ZZZZ");
        assertThat(bad.status).isEqualTo(1);
        assertThat(bad.err).contains("INVITE_INVALID");
        assertThat(duet("eve", 0, "", "frobnicate").status).isEqualTo(2);
    }
}
