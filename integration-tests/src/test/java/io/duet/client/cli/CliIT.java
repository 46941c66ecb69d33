package io.duet.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.it.SharedCluster;
import io.duet.it.TestCouple;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code duet} command line, run in-process against the local cluster, one profile per user: signing up,
 * pairing and chatting; the couple's space (a photo from a file path up and down, memos, upcoming
 * anniversaries, read marks, unpairing with the password); mistakes.
 */
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
        return duetWithPassword(profile + "'s password", profile, server, stdin, command);
    }

    private Run duetWithPassword(String password, String profile, int server, String stdin, String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--home", home.toString(), "--profile", profile,
                "--http", cluster.clientHttpEndpoint(server).toString(),
                "--tcp", "127.0.0.1:" + cluster.clientTcpEndpoint(server).getPort(),
                "--password", password));
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

    /** The value of {@code pattern}'s first group in {@code run}'s output, which must match. */
    private static String find(Run run, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(run.out);
        assertThat(matcher.find()).as("'%s' in:%n%s%s", pattern, run.out, run.err).isTrue();
        return matcher.group(1);
    }

    @Test
    void photosMemosAnniversariesReadMarksAndUnpairing() throws Exception {
        assertThat(duet("ann", 0, "", "signup", TestCouple.uniqueEmail("cli-ann"), "Ann").status).isZero();
        assertThat(duet("bob", 1, "", "signup", TestCouple.uniqueEmail("cli-bob"), "Bob").status).isZero();
        String code = find(duet("ann", 0, "", "invite"), "Invite code: (\\S+)");
        assertThat(duet("bob", 1, "", "accept", code).status).isZero();

        // A photo from a file path: uploaded, listed, downloaded as a thumbnail, its URLs in one call.
        Path file = home.resolve("beach.png");
        ImageIO.write(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
        Run upload = duet("ann", 0, "", "photo-upload", file.toString(), "the", "beach");
        String photoId = find(upload, "Uploaded photo ([0-9a-f]{32}) \\(640 x 480\\), posted as message 1\\.");
        assertThat(duet("bob", 1, "", "photos").out).contains(photoId + "  640x480").contains("the beach");
        Path thumbnail = home.resolve("thumbnail.png");
        Run download = duet("bob", 1, "", "photo-download", photoId, thumbnail.toString(), "thumbnail");
        assertThat(download.out).as(download.err).isEqualTo("Saved thumbnail to " + thumbnail + ".\n");
        BufferedImage saved = ImageIO.read(thumbnail.toFile());
        assertThat(List.of(saved.getWidth(), saved.getHeight())).containsExactly(320, 240);
        String unknown = "0".repeat(32);
        Run urls = duet("bob", 1, "", "photo-urls", "screen", photoId, unknown);
        assertThat(urls.out).as(urls.err).containsPattern(photoId + "  https?://\\S+\n" + unknown + "  not found\n");

        // Memos: created, edited by the partner, a stale edit refused with the memo as it is, listed.
        Run created = duet("ann", 0, "", "memo-new", "Groceries", "milk");
        String memoId = find(created, "Created memo (\\d+) \\(version \\d+\\)");
        long version = Long.parseLong(find(created, "Created memo \\d+ \\(version (\\d+)\\)"));
        assertThat(duet("bob", 1, "", "memo-edit", memoId, String.valueOf(version), "milk", "and", "eggs").out)
                .isEqualTo("Memo " + memoId + " is now at version " + (version + 1) + ".\n");
        Run stale = duet("ann", 0, "", "memo-edit", memoId, String.valueOf(version), "just", "milk");
        assertThat(stale.status).isEqualTo(1);
        assertThat(stale.out).contains("The memo changed since that version").contains("milk and eggs")
                .contains("Edit it again with version " + (version + 1));
        assertThat(duet("ann", 0, "", "memos").out).contains(memoId + " v" + (version + 1) + "  Groceries");

        // Anniversaries: 100 days from a start date 50 days ago, and a yearly event in 10 days.
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertThat(duet("ann", 0, "", "start-date", today.minusDays(50).toString(), "UTC").out)
                .contains("Together since " + today.minusDays(50) + ": day 51");
        assertThat(duet("bob", 1, "", "event-add", "yearly", today.plusDays(10).minusYears(1).toString(), "Our", "trip")
                .status).isZero();
        Run upcoming = duet("bob", 1, "", "upcoming");
        assertThat(upcoming.out).as(upcoming.err).contains(today.plusDays(49) + "  D-49  100 days")
                .contains(today.plusDays(10) + "  D-10  Our trip (1)");

        // Read marks: Bob has the photo message unread until he marks it read; Ann sees his mark.
        assertThat(duet("bob", 1, "", "unread").out).startsWith("1 unread");
        assertThat(duet("bob", 1, "", "read").out).isEqualTo("Read up to message 1; 0 unread.\n");
        assertThat(duet("ann", 0, "", "unread").out).contains("your partner up to 1");

        // Unpairing asks for the password: a wrong one changes nothing.
        Run refused = duetWithPassword("not ann's password", "ann", 0, "", "unpair");
        assertThat(refused.status).isEqualTo(1);
        assertThat(refused.err).contains("UNAUTHENTICATED").contains("wrong password");
        assertThat(duet("bob", 1, "", "memos").out).contains("Groceries");
        assertThat(duet("ann", 0, "", "unpair").out).startsWith("Unpaired as Ann");
        assertThat(duet("bob", 1, "", "memos").err).contains("NOT_PAIRED");
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
