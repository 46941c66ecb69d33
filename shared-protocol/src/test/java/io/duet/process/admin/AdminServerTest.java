package io.duet.process.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The admin port on a real socket, and its settings. */
class AdminServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpResponse<String> get(AdminServer admin, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + admin.address().getPort() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheJvmMetersAndSaysWhereItListens() throws Exception {
        try (AdminServer admin = new AdminServer(AdminSettings.defaults(), Optional::empty)) {
            admin.start();
            assertThat(admin.readyInfo()).containsEntry("admin.host", "127.0.0.1")
                    .containsEntry("admin.port", Integer.toString(admin.address().getPort()));
            assertThat(admin.address().getPort()).isPositive();
            assertThat(get(admin, "/live").body()).isEqualTo("live\n");
            assertThat(get(admin, "/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(admin, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            // The JVM meters the README names (jvm_gc_pause_seconds appears with the first collection).
            assertThat(metrics.body()).contains("jvm_memory_used_bytes", "jvm_memory_max_bytes",
                    "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads", "jvm_threads_states_threads",
                    "jvm_classes_loaded_classes", "process_uptime_seconds");
        }
    }

    @Test
    void closeStopsServingAndIsIdempotent() throws Exception {
        AdminServer admin = new AdminServer(AdminSettings.defaults(), Optional::empty);
        admin.start();
        int port = admin.address().getPort();
        admin.close();
        admin.close();
        assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(admin::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsComeFromAdminHostAndAdminPort() {
        AdminSettings defaults = AdminSettings.from(Settings.of(Map.of()));
        assertThat(defaults.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isZero();
        AdminSettings set = AdminSettings.from(Settings.of(Map.of("admin.host", "0.0.0.0", "admin.port", "7700")));
        assertThat(set.host()).isEqualTo("0.0.0.0");
        assertThat(set.port()).isEqualTo(7700);
        assertThatThrownBy(() -> AdminSettings.from(Settings.of(Map.of("admin.port", "70000"))))
                .hasMessage("port: 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> AdminSettings.builder().idleTimeout(Duration.ZERO).build())
                .hasMessageContaining("idleTimeout");
    }
}
