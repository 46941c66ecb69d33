package io.duet.deploy.dist;

import static io.duet.deploy.dist.DeployFiles.SOURCES;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts the units run, against stand-ins on 127.0.0.1: {@code systemd/duet-await-ready} against an
 * admin port that is not ready at first, and {@code aws/duet-scale-in-hook} against an instance metadata
 * service (IMDSv2: a token first) that reports the termination after a while, with {@code systemctl} and
 * {@code aws} stand-ins on the PATH that record their arguments, and {@code aws/duet-fetch-secrets}
 * against an {@code aws} stand-in serving certificates made as PRODUCTION.md says.
 */
class DeployScriptsTest {
    @TempDir
    Path work;
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void awaitReadyReturnsOnceTheReadyFileIsThereAndReadyAnswers200() throws Exception {
        AtomicInteger probes = new AtomicInteger();
        int port = serve(Map.of("/ready", exchange -> {
            boolean ready = probes.incrementAndGet() > 2;
            answer(exchange, ready ? 200 : 503, ready ? "ready" : "starting: not in the shard map yet");
        }));
        Path readyFile = work.resolve("ready");
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(700);
                Files.writeString(readyFile, "admin.host=127.0.0.1\nadmin.port=" + port + "\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        DeployFiles.Run run = script("systemd/duet-await-ready", List.of(readyFile.toString(), "20"), Map.of());
        writer.join();
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(probes.get()).as("polled until 200").isEqualTo(3);
    }

    @Test
    void awaitReadyFailsWithTheLastReasonAtTheTimeout() throws Exception {
        int port = serve(Map.of("/ready", exchange -> answer(exchange, 503, "starting: not in the shard map yet")));
        Path readyFile = work.resolve("ready");
        Files.writeString(readyFile, "admin.host=0.0.0.0\nadmin.port=" + port + "\n");
        DeployFiles.Run run = script("systemd/duet-await-ready", List.of(readyFile.toString(), "2"), Map.of());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("not ready after 2 s: 503 starting: not in the shard map yet");
    }

    @Test
    void awaitReadyFailsWithoutAReadyFile() throws Exception {
        DeployFiles.Run run = script("systemd/duet-await-ready", List.of(work.resolve("none").toString(), "1"), Map.of());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no ready file");
    }

    @Test
    void scaleInHookStopsTheUnitOnTerminationThenCompletesTheLifecycleAction() throws Exception {
        AtomicInteger stateReads = new AtomicInteger();
        String token = "t0k3n";
        int port = serve(Map.of(
                "/latest/api/token", exchange -> answer(exchange,
                        exchange.getRequestMethod().equals("PUT") ? 200 : 405, token),
                "/latest/meta-data/", exchange -> {
                    if (!token.equals(exchange.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"))) {
                        answer(exchange, 401, "");
                        return;
                    }
                    switch (exchange.getRequestURI().getPath().substring("/latest/meta-data/".length())) {
                        case "autoscaling/target-lifecycle-state" ->
                                answer(exchange, 200, stateReads.incrementAndGet() > 2 ? "Terminated" : "InService");
                        case "instance-id" -> answer(exchange, 200, "i-0123456789abcdef0");
                        case "placement/region" -> answer(exchange, 200, "eu-west-1");
                        default -> answer(exchange, 404, "");
                    }
                }));
        Path log = work.resolve("calls.log");
        Path bin = Files.createDirectories(work.resolve("bin"));
        // systemctl records its call; aws fails once (not yet in Terminating:Wait), then succeeds.
        executable(bin.resolve("systemctl"), "#!/bin/sh\necho \"systemctl $*\" >> \"" + log + "\"\n");
        executable(bin.resolve("aws"), "#!/bin/sh\necho \"aws $*\" >> \"" + log + "\"\n"
                + "if [ ! -e \"" + work.resolve("aws-failed") + "\" ]; then touch \"" + work.resolve("aws-failed")
                + "\"; echo 'No active Lifecycle Action found' >&2; exit 254; fi\n");
        DeployFiles.Run run = script("aws/duet-scale-in-hook", List.of("duet-presentation.service"), Map.of(
                "PATH", bin + ":" + System.getenv("PATH"),
                "DUET_IMDS_URL", "http://127.0.0.1:" + port,
                "DUET_HOOK_POLL_SECONDS", "0.2",
                "DUET_ASG_NAME", "duet-prod-presentation",
                "DUET_LIFECYCLE_HOOK", "duet-drain"));
        assertThat(run.exitCode()).as(run.output()).isZero();
        String complete = "aws autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name "
                + "duet-prod-presentation --lifecycle-hook-name duet-drain --instance-id i-0123456789abcdef0 "
                + "--lifecycle-action-result CONTINUE";
        assertThat(Files.readAllLines(log)).containsExactly("systemctl stop duet-presentation.service", complete, complete);
        assertThat(stateReads.get()).as("polled until Terminated").isEqualTo(3);
    }

    @Test
    void scaleInHookRefusesToRunWithoutItsGroup() throws Exception {
        DeployFiles.Run run = script("aws/duet-scale-in-hook", List.of("duet-presentation.service"), Map.of());
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("DUET_ASG_NAME is not set");
    }

    /**
     * PRODUCTION.md's openssl commands make the CA and the tiers' certificates; duet-fetch-secrets, against
     * an {@code aws} stand-in serving them as SSM parameters, writes them where the template's settings name
     * them, keys owner-only; the server's own checks accept what it wrote. A key that is not PKCS#8 is
     * refused and leaves the previous one in place.
     */
    @Test
    void fetchSecretsWritesTheParametersWhereTheSettingsNameThemAndTheServerTakesThem() throws Exception {
        Path pki = Files.createDirectories(work.resolve("pki"));
        DeployFiles.require("openssl", "apt-get install openssl");
        DeployFiles.Run certificates = DeployFiles.run(List.of("bash", "-euo", "pipefail", "-c",
                "cd \"" + pki + "\" && " + productionCertificateCommands()), Map.of(), Duration.ofSeconds(60));
        assertThat(certificates.exitCode()).as(certificates.output()).isZero();
        Path ssm = Files.createDirectories(work.resolve("ssm"));
        byte[] random = new byte[48];
        new java.security.SecureRandom().nextBytes(random);
        String tokenSecret = java.util.Base64.getEncoder().encodeToString(random);
        Files.writeString(ssm.resolve("duet_prod_token-secret"), tokenSecret + "\n");
        Files.copy(pki.resolve("ca.pem"), ssm.resolve("duet_prod_relay-ca"));
        Files.copy(pki.resolve("application.pem"), ssm.resolve("duet_prod_application-relay-cert"));
        Files.copy(pki.resolve("application.key"), ssm.resolve("duet_prod_application-relay-key"));
        Path log = work.resolve("calls.log");
        Path bin = Files.createDirectories(work.resolve("bin"));
        // aws ssm get-parameter ... --name /a/b ... prints the file ssm/a_b, as --output text prints the value.
        executable(bin.resolve("aws"), "#!/bin/sh\necho \"aws $*\" >> \"" + log + "\"\n"
                + "while [ $# -gt 0 ]; do [ \"$1\" = --name ] && name=$2; shift; done\n"
                + "cat \"" + ssm + "/$(echo \"${name#/}\" | tr / _)\"\n");
        Path etc = work.resolve("etc");
        Map<String, String> environment = Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "DUET_ETC", etc.toString(), "DUET_USER", System.getProperty("user.name"));
        List<String> parameters = List.of("eu-west-1", "duet/prod/token-secret", "duet/prod/relay-ca",
                "duet/prod/application-relay-cert", "duet/prod/application-relay-key");

        DeployFiles.Run fetch = script("aws/duet-fetch-secrets", parameters, environment);
        assertThat(fetch.exitCode()).as(fetch.output()).isZero();
        assertThat(Files.readAllLines(log)).hasSize(4).allMatch(call ->
                call.startsWith("aws ssm get-parameter --region eu-west-1 --with-decryption --name /duet/prod/"));
        assertThat(mode(etc.resolve("tls"))).isEqualTo("rwxr-x---");
        Map<String, String> settings = new java.util.HashMap<>();
        DeployFiles.SECRET_FILES.forEach((key, file) -> settings.put(key, etc.resolve(file).toString()));
        assertThat(mode(Path.of(settings.get("token.secret-file")))).isEqualTo("rw-------");
        assertThat(mode(Path.of(settings.get("relay.tls.key")))).isEqualTo("rw-------");
        assertThat(Path.of(settings.get("relay.tls.cert"))).hasSameTextualContentAs(pki.resolve("application.pem"));
        assertThat(io.duet.security.TokenSecrets.from(io.duet.settings.Settings.of(settings)).current()).isEqualTo(tokenSecret);
        assertThat(io.duet.security.RelayTls.from(io.duet.settings.Settings.of(settings)).enabled()).isTrue();

        Files.writeString(ssm.resolve("duet_prod_application-relay-key"),
                "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        DeployFiles.Run sec1 = script("aws/duet-fetch-secrets", parameters, environment);
        assertThat(sec1.exitCode()).isEqualTo(1);
        assertThat(sec1.err()).contains("/duet/prod/application-relay-key does not start with -----BEGIN PRIVATE KEY-----")
                .contains("openssl pkcs8 -topk8");
        assertThat(Path.of(settings.get("relay.tls.key"))).hasSameTextualContentAs(pki.resolve("application.key"));
    }

    /** The shell block of PRODUCTION.md that makes the CA and the node certificates. */
    private static String productionCertificateCommands() throws IOException {
        Path production = SOURCES.toAbsolutePath().getParent().getParent().getParent().resolve("PRODUCTION.md");
        java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?s)```sh\n([^`]*openssl req -x509[^`]*)```")
                .matcher(Files.readString(production));
        assertThat(block.find()).as("%s has the certificate commands", production).isTrue();
        return block.group(1);
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private DeployFiles.Run script(String script, List<String> args, Map<String, String> environment) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", SOURCES.resolve(script).toString()));
        command.addAll(args);
        return DeployFiles.run(command, environment, Duration.ofSeconds(60));
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private int serve(Map<String, Handler> handlers) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        handlers.forEach((path, handler) -> server.createContext(path, exchange -> {
            try (exchange) {
                handler.handle(exchange);
            }
        }));
        server.start();
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }
}
