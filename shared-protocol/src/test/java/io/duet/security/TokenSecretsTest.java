package io.duet.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenSecretsTest {
    /** 48 random bytes, base64: what {@code openssl rand -base64 48} prints. */
    private static final String GOOD = "q3Vx9Jr0tN2bZk8Lw1cP5yHd7Gm4Xf6Ue0Ai2So9Rv3Bn8Kj1Tz5Ql7Wc4Ey6Mg0Hp";
    private static final String SHIPPED = "CHANGE-ME-to-a-long-random-string-of-at-least-32-bytes";

    @TempDir
    Path dir;

    @Test
    void aRandomSecretIsAccepted() {
        TokenSecrets secrets = TokenSecrets.from(Settings.of(Map.of("token.secret", GOOD)));
        assertThat(secrets.current()).isEqualTo(GOOD);
        assertThat(secrets.previous()).isEmpty();
    }

    @Test
    void theShippedPlaceholderIsRefusedThoughItIsLongEnough() {
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", SHIPPED))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("token.secret: still the example placeholder")
                .hasMessageContaining("openssl rand");
    }

    @Test
    void anySecretContainingThePlaceholderMarkIsRefused() {
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", GOOD + "change-me"))))
                .hasMessageContaining("placeholder");
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", "q3Vx9Jr0tN2bZk8L"))))
                .hasMessageContaining("token.secret: 16 bytes long (expected: at least 32)");
    }

    @Test
    void aLongSecretOfFewDistinctCharactersIsRefused() {
        String repetitive = "abababababababababababababababababababab";
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", repetitive))))
                .hasMessageContaining("token.secret: low entropy, about 40 bits from 2 distinct characters");
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", "x".repeat(64)))))
                .hasMessageContaining("about 0 bits from 1 distinct characters");
    }

    @Test
    void entropyEstimateCountsLengthAndSpread() {
        assertThat(TokenSecrets.estimatedBits("aaaa")).isZero();
        assertThat(TokenSecrets.estimatedBits("abcd")).isEqualTo(8.0);
        assertThat(TokenSecrets.estimatedBits(GOOD)).isGreaterThan(TokenSecrets.MIN_ENTROPY_BITS);
    }

    @Test
    void aPlaceholderAmongThePreviousSecretsIsRefused() {
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", GOOD,
                "token.previous-secrets", GOOD.substring(1) + "Z," + SHIPPED))))
                .hasMessageContaining("token.previous-secrets (item 2): still the example placeholder");
    }

    @Test
    void aPrivateSecretFileIsRead() throws Exception {
        Path file = dir.resolve("token-secret");
        SecretFiles.writePrivate(file, GOOD + "\n");
        TokenSecrets secrets = TokenSecrets.from(Settings.of(Map.of("token.secret-file", file.toString())));
        assertThat(secrets.current()).isEqualTo(GOOD);
    }

    @Test
    void aSecretFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("token-secret");
        Files.writeString(file, GOOD, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret-file", file.toString()))))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("token.secret-file: " + file + " has mode rw-r--r--")
                .hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret-file", file.toString()))))
                .hasMessageContaining("has mode rw-rw----");
    }

    @Test
    void aSecretWrittenInASettingsFileOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "token.secret=" + GOOD + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> TokenSecrets.from(Settings.load(file, Map.of())))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("token.secret is set in " + file + ", which other users can read")
                .hasMessageContaining("token.secret-file")
                .hasMessageContaining("has mode rw-r--r--");
        // Set in the environment, it is not read from the file.
        assertThat(TokenSecrets.from(Settings.load(file, Map.of("DUET_TOKEN_SECRET", GOOD))).current()).isEqualTo(GOOD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(TokenSecrets.from(Settings.load(file, Map.of())).current()).isEqualTo(GOOD);
    }

    @Test
    void previousSecretsWrittenInASettingsFileOthersCanReadAreRefused() throws Exception {
        Path secret = dir.resolve("token-secret");
        SecretFiles.writePrivate(secret, GOOD);
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "token.secret-file=" + secret + "\ntoken.previous-secrets=" + GOOD.substring(1) + "x\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThatThrownBy(() -> TokenSecrets.from(Settings.load(file, Map.of())))
                .hasMessageContaining("token.previous-secrets is set in " + file);
    }

    @Test
    void aPlaceholderInASecretFileIsRefused() throws Exception {
        Path file = dir.resolve("token-secret");
        SecretFiles.writePrivate(file, SHIPPED);
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret-file", file.toString()))))
                .hasMessageContaining("token.secret-file (" + file + "): still the example placeholder");
    }

    @Test
    void aMissingSecretFileIsRefused() {
        Path file = dir.resolve("absent");
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret-file", file.toString()))))
                .hasMessageContaining("token.secret-file: " + file + " is not a readable file");
    }

    @Test
    void noSecretOrBothAreRefused() throws Exception {
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of())))
                .hasMessageContaining("token.secret-file: missing");
        Path file = dir.resolve("token-secret");
        SecretFiles.writePrivate(file, GOOD);
        assertThatThrownBy(() -> TokenSecrets.from(Settings.of(Map.of("token.secret", GOOD,
                "token.secret-file", file.toString()))))
                .hasMessageContaining("are both set");
    }

    @Test
    void writePrivateMakesAnOwnerOnlyFile() throws Exception {
        Path file = dir.resolve("key");
        SecretFiles.writePrivate(file, "x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
