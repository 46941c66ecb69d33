package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The SDK's TLS options; handshakes and resumption run in ClientTlsTest and OneEndpointIT. */
class DuetTlsTest {
    @Test
    void aHandlerIsKeyedByTheEndpointAndChecksItsName() {
        SslHandler handler = DuetTls.systemTrust().newHandler(ByteBufAllocator.DEFAULT, "chat.example.com", 7410);
        assertThat(handler.engine().getPeerHost()).isEqualTo("chat.example.com");
        assertThat(handler.engine().getPeerPort()).isEqualTo(7410);
        assertThat(handler.engine().getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    }

    @Test
    void aMissingCaFileIsRefusedNamingIt() {
        assertThatThrownBy(() -> DuetTls.trusting(Path.of("/nonexistent/ca.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caFile: /nonexistent/ca.pem (expected: a readable PEM file)");
    }

    @Test
    void httpWithTlsNeedsAnHttpsUrl() {
        assertThatThrownBy(() -> new DuetHttp(URI.create("http://127.0.0.1:7402"), "device", DuetTls.systemTrust()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: an https URL");
    }
}
