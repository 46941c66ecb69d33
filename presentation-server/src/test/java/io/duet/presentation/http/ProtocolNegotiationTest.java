package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.relay.WireProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ProtocolNegotiationTest {
    private static ByteBuf startingWith(int first) {
        return Unpooled.wrappedBuffer(new byte[] {(byte) first, 1, 2});
    }

    @Test
    void explicitContentTypesChooseTheProtocol() {
        assertThat(HttpApiHandler.protocolOf("application/vnd.apache.thrift.binary", startingWith(0x82)))
                .isEqualTo(WireProtocol.BINARY);
        assertThat(HttpApiHandler.protocolOf("application/vnd.apache.thrift.compact; charset=x", startingWith(0x80)))
                .isEqualTo(WireProtocol.COMPACT);
        assertThat(HttpApiHandler.protocolOf("Application/JSON", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }

    @Test
    void stockClientsContentTypeIsSniffedFromTheFirstByte() {
        assertThat(HttpApiHandler.protocolOf("application/x-thrift", startingWith(0x80))).isEqualTo(WireProtocol.BINARY);
        assertThat(HttpApiHandler.protocolOf("application/x-thrift", startingWith(0x82))).isEqualTo(WireProtocol.COMPACT);
        assertThat(HttpApiHandler.protocolOf("application/x-thrift", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }

    @Test
    void otherContentTypesAreRefused() {
        assertThat(HttpApiHandler.protocolOf("text/plain", startingWith(0x80))).isNull();
        assertThat(HttpApiHandler.protocolOf(null, startingWith(0x80))).isNull();
        assertThat(HttpApiHandler.protocolOf("", startingWith(0x80))).isNull();
    }

    @Test
    void parametersWithoutAMediaTypeAreAnUnknownContentType() {
        assertThat(HttpApiHandler.protocolOf(";", startingWith(0x80))).isNull();
        assertThat(HttpApiHandler.protocolOf(" ;; ", startingWith(0x80))).isNull();
        assertThat(HttpApiHandler.protocolOf(";application/json", startingWith('['))).isNull();
        assertThat(HttpApiHandler.protocolOf("application/json;", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }
}
