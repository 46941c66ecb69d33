package io.duet.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refusals of {@link RelayTls}; handshakes with real certificates are tested with {@code ClusterCa}. */
class RelayTlsTest {
    @TempDir
    Path dir;

    @Test
    void isOnByDefaultSoAServerWithoutCertificatesIsRefused() {
        assertThatThrownBy(() -> RelayTls.from(Settings.of(Map.of())))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("relay.tls.cert: missing; relay links use mutual TLS");
    }

    @Test
    void eachFileIsRequired() {
        assertThatThrownBy(() -> RelayTls.from(Settings.of(Map.of("relay.tls.cert", "a.pem", "relay.tls.ca", "ca.pem"))))
                .hasMessageContaining("relay.tls.key: missing");
    }

    @Test
    void canBeSwitchedOff() {
        RelayTls tls = RelayTls.from(Settings.of(Map.of("relay.tls.enabled", "false")));
        assertThat(tls.enabled()).isFalse();
        assertThat(tls).hasToString("off");
        assertThatThrownBy(() -> tls.newServerHandler(ByteBufAllocator.DEFAULT)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aKeyFileOthersCanReadIsRefused() throws Exception {
        Path key = dir.resolve("node.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> RelayTls.from(Settings.of(Map.of("relay.tls.cert", dir.resolve("node.pem").toString(),
                "relay.tls.key", key.toString(), "relay.tls.ca", dir.resolve("ca.pem").toString()))))
                .hasMessageContaining("relay.tls.key: " + key + " has mode rw-r--r--");
    }

    @Test
    void unreadableCertificatesAreRefusedNamingTheFiles() throws Exception {
        Path key = dir.resolve("node.key");
        SecretFiles.writePrivate(key, "not a key");
        Files.writeString(dir.resolve("node.pem"), "not a certificate");
        Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        assertThatThrownBy(() -> RelayTls.of(dir.resolve("node.pem"), key, dir.resolve("ca.pem")))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("relay.tls: cannot use relay.tls.cert=" + dir.resolve("node.pem"));
    }
}
