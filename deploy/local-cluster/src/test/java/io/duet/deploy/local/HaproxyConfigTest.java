package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.pki.ClusterCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HaproxyConfigTest {
    private static final List<HaproxyConfig.Server> SERVERS = List.of(
            new HaproxyConfig.Server("presentation-1", 7410, 7420, 7430, 7440),
            new HaproxyConfig.Server("presentation-2", 7411, 7421, 7431, 7441));

    @Test
    void routesTcpAndHttpToServersWhoseAdminPortSaysReady() {
        String config = HaproxyConfig.render(7401, 7402, Path.of("/tmp/x.sock"), SERVERS, null);
        assertThat(config)
                .contains("bind 127.0.0.1:7401", "bind 127.0.0.1:7402")
                .contains("option httpchk GET /ready")
                .contains("server presentation-1 127.0.0.1:7410 check port 7430 weight 100 agent-check agent-port 7440 agent-inter 1s"
                        + " send-proxy-v2")
                .contains("server presentation-2 127.0.0.1:7411 check port 7431 weight 100 agent-check agent-port 7441 agent-inter 1s"
                        + " send-proxy-v2")
                .contains("option forwardfor")
                .contains("balance leastconn")
                .contains("server presentation-2 127.0.0.1:7421 track presentation-tcp/presentation-2")
                .contains("inter 500ms", "fall 2 rise 2", "option redispatch 1")
                .contains("stats socket /tmp/x.sock");
    }

    @Test
    void maxconnIsSetFromTheFileDescriptorLimit() {
        assertThat(HaproxyConfig.maxconnFor(20_000)).isEqualTo(9_900);
        assertThat(HaproxyConfig.maxconnFor(1024)).isEqualTo(412);
        assertThat(HaproxyConfig.render(7401, 7402, Path.of("/tmp/x.sock"), SERVERS, null, 9_900))
                .startsWith("# Written").contains("global\n    maxconn 9900\n");
    }

    @Test
    void haproxyItselfAcceptsTheConfiguration() throws Exception {
        Path dir = Files.createTempDirectory("duet-haproxy-config-");
        assertHaproxyAccepts(dir, HaproxyConfig.render(7401, 7402, dir.resolve("s.sock"), SERVERS, null));
    }

    /** {@code haproxy -c} accepts {@code config}, without a warning. */
    private static void assertHaproxyAccepts(Path dir, String config) throws Exception {
        Path haproxy = LoadBalancerProcess.find("haproxy");
        assertThat(haproxy).as("haproxy installed (apt-get install -y haproxy; .ci/run installs it)").isNotNull();
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        Process check = new ProcessBuilder(haproxy.toString(), "-c", "-f", file.toString()).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("WARNING");
    }

    @Test
    void withClientTlsTcpPassesThroughAndHttpsIsTerminatedAndSpokenToTheServers() throws Exception {
        Path dir = Files.createTempDirectory("duet-haproxy-tls-");
        LocalClientTls tls = LocalClientTls.loadOrCreate(ClusterCa.loadOrCreate(dir.resolve("tls"), "test CA"), dir);
        String config = HaproxyConfig.render(7401, 7402, dir.resolve("s.sock"), SERVERS, tls);
        assertThat(config)
                .contains("frontend client-tcp\n    mode tcp")
                .contains("bind 127.0.0.1:7402 ssl crt " + tls.haproxyCertificate())
                .contains("server presentation-1 127.0.0.1:7420 track presentation-tcp/presentation-1 ssl verify required ca-file "
                        + tls.ca());
        assertThat(config.lines().filter(line -> line.contains("127.0.0.1:7410"))).allMatch(line -> !line.contains("ssl"));
        assertThat(tls.presentationSettings()).containsEntry("client.tls.ticket-keys", tls.ticketKeys().toString());
        assertHaproxyAccepts(dir, config);
    }

    @Test
    void aMissingBinaryIsNotFound() {
        assertThat(LoadBalancerProcess.find("/nonexistent/haproxy")).isNull();
        assertThat(LoadBalancerProcess.find("duet-no-such-haproxy")).isNull();
    }
}
