package io.duet.deploy.dist;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.security.TokenSecrets;
import io.duet.settings.Settings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped example settings, copied as they are, stop a server at its token secret, saying what to do. */
class ExampleSettingsIT {
    private static final Path CONF = Path.of("src/dist/conf");

    @Test
    void theApplicationServersExampleIsRefusedForItsPlaceholderSecret() {
        assertRefused(CONF.resolve("application-server.properties"));
    }

    @Test
    void thePresentationServersExampleIsRefusedForItsPlaceholderSecret() {
        assertRefused(CONF.resolve("presentation-server.properties"));
    }

    private static void assertRefused(Path file) {
        Settings settings = Settings.load(file, Map.of());
        assertThatThrownBy(() -> TokenSecrets.from(settings))
                .hasMessageContaining("token.secret: still the example placeholder")
                .hasMessageContaining("openssl rand");
    }
}
