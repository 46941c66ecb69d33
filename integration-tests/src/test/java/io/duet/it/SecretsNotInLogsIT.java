package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.FrameType;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing secret in the logs: after signing up, logging in, refreshing, pairing and logging out (and
 * failing at it: a wrong password, a taken email, bad invite codes, a reused refresh token, a forged
 * token), every node log of the cluster (application and presentation servers, HBase, ZooKeeper, HAProxy)
 * is searched for the access and refresh tokens, passwords and invite codes of the run and the token
 * secret, as they are and in their obvious encodings.
 */
class SecretsNotInLogsIT {
    /** What each secret may look like in a log besides itself. */
    static Set<String> encodings(String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        if (secret.length() >= 16) {
            // Short ones (invite codes) in another case could match by chance.
            forms.add(secret.toLowerCase(Locale.ROOT));
            forms.add(secret.toUpperCase(Locale.ROOT));
        }
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        forms.add(HexFormat.of().formatHex(bytes));
        return forms;
    }

    /** Where, in the files under {@code dir}, any of {@code needles} (label to value) occurs. */
    static List<String> find(Path dir, Map<String, String> needles) throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (Map.Entry<String, String> needle : needles.entrySet()) {
                for (String form : encodings(needle.getValue())) {
                    int at = text.indexOf(form);
                    if (at >= 0) {
                        int lineStart = text.lastIndexOf('\n', at) + 1;
                        int lineEnd = text.indexOf('\n', at);
                        found.add(needle.getKey() + " in " + dir.relativize(file) + ": "
                                + text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd).strip());
                        break;
                    }
                }
            }
        }
        return found;
    }

    /** Adds a token and its signed parts (an access token's claims and signature, a refresh token's secret). */
    private static void addToken(Map<String, String> secrets, String label, String token) {
        if (token == null) {
            return;
        }
        secrets.put(label, token);
        String[] parts = token.split("\\.");
        if (token.startsWith("r1.")) {
            secrets.put(label + " (its secret)", parts[3]);
        } else {
            secrets.put(label + " (its claims)", parts[2]);
            secrets.put(label + " (its signature)", parts[3]);
        }
    }

    private static void addSession(Map<String, String> secrets, String label, Session session) {
        addToken(secrets, label + " access token", session.getToken());
        addToken(secrets, label + " refresh token", session.getRefreshToken());
    }

    @Test
    void theScanFindsASecretInAnyOfItsEncodings(@TempDir Path dir) throws Exception {
        String secret = "planted-" + UUID.randomUUID();
        Files.writeString(dir.resolve("node.log"), "12:00:00 INFO a line\n12:00:01 DEBUG request "
                + Base64.getEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8))
                + " done\n");
        assertThat(find(dir, Map.of("planted", secret))).singleElement().asString()
                .contains("planted in node.log").contains("DEBUG request");
        assertThat(find(dir, Map.of("absent", "absent-" + UUID.randomUUID()))).isEmpty();
    }

    @Test
    void noSecretOfARunReachesTheNodeLogs() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("token secret", cluster.tokenSecret());
        DuetHttp annHttp = TestCouple.http(cluster, 0, "logs-ann-phone");
        DuetHttp bobHttp = TestCouple.http(cluster, 1, "logs-bob-phone");
        String annEmail = TestCouple.uniqueEmail("logs-ann");
        String bobEmail = TestCouple.uniqueEmail("logs-bob");
        String annPassword = "ann-password-" + UUID.randomUUID();
        String bobPassword = "bob-password-" + UUID.randomUUID();
        String wrongPassword = "wrong-password-" + UUID.randomUUID();
        String takenEmailPassword = "taken-email-password-" + UUID.randomUUID();
        secrets.put("ann's password", annPassword);
        secrets.put("bob's password", bobPassword);
        secrets.put("a wrong password", wrongPassword);
        secrets.put("a password tried on a taken email", takenEmailPassword);

        Session ann = annHttp.signUp(annEmail, annPassword, "Ann");
        addSession(secrets, "ann's sign-up", ann);
        Session bob = bobHttp.signUp(bobEmail, bobPassword, "Bob");
        addSession(secrets, "bob's sign-up", bob);
        assertThatThrownBy(() -> annHttp.logIn(annEmail, wrongPassword)).isInstanceOf(DuetError.class);
        assertThatThrownBy(() -> bobHttp.signUp(annEmail, takenEmailPassword, "Not Ann")).isInstanceOf(DuetError.class);
        Session annLogIn = annHttp.logIn(annEmail, annPassword);
        addSession(secrets, "ann's log-in", annLogIn);

        String code = annHttp.createInvite(annLogIn.getToken()).getCode();
        secrets.put("the invite code", code);
        secrets.put("the invite code, as stored", code.replace("-", ""));
        String unknownCode = "WXYZ-2345-6789";
        if (!unknownCode.equals(code)) {
            assertThatThrownBy(() -> bobHttp.acceptInvite(bob.getToken(), unknownCode)).isInstanceOf(DuetError.class);
            secrets.put("an unknown invite code", unknownCode);
        }
        String malformedCode = "not-a-code-" + UUID.randomUUID();
        assertThatThrownBy(() -> bobHttp.acceptInvite(bob.getToken(), malformedCode)).isInstanceOf(DuetError.class);
        secrets.put("a malformed invite code", malformedCode);
        Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code);
        addSession(secrets, "bob's pairing", bobPaired);

        Session annRenewed = annHttp.refreshWith(annLogIn.getRefreshToken());
        addSession(secrets, "ann's renewal", annRenewed);
        // A reused refresh token ends the session (and is logged as such, without the token).
        assertThatThrownBy(() -> annHttp.refreshWith(annLogIn.getRefreshToken())).isInstanceOf(DuetError.class);

        try (RawSession tcp = new RawSession(cluster.clientTcpEndpoint(0))) {
            tcp.send(RawSession.auth(bobPaired.getToken()));
            assertThat((int) tcp.readFrame()[0]).isEqualTo(FrameType.AUTH_OK.code());
        }
        String forged = bobPaired.getToken().substring(0, bobPaired.getToken().lastIndexOf('.') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(UUID.randomUUID().toString().getBytes());
        addToken(secrets, "a forged token", forged);
        try (RawSession tcp = new RawSession(cluster.clientTcpEndpoint(1))) {
            tcp.send(RawSession.auth(forged));
            assertThat(tcp.readError().getCode()).isEqualTo(SessionErrorCode.TOKEN_INVALID);
        }

        bobHttp.logOut(bobPaired.getToken());
        annHttp.logOutEverywhere(ann.getToken());

        // The logs searched are those of this run: they tell of its log-out and of its reused refresh token.
        String loggedOut = "User " + ann.getUserId() + " logged out everywhere";
        String reused = "A used refresh token of user " + ann.getUserId();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (find(cluster.logDir(), Map.of("log-out", loggedOut, "reuse", reused)).size() < 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the node logs in " + cluster.logDir() + " do not tell of this run");
            }
            Thread.sleep(100);
        }
        assertThat(find(cluster.logDir(), secrets)).as("secrets in the node logs of %s", cluster.logDir()).isEmpty();
    }
}
