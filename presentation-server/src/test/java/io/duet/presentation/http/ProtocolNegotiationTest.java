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
        assertThat(ThriftHttpRequests.protocolOf("application/vnd.apache.thrift.binary", startingWith(0x82)))
                .isEqualTo(WireProtocol.BINARY);
        assertThat(ThriftHttpRequests.protocolOf("application/vnd.apache.thrift.compact; charset=x", startingWith(0x80)))
                .isEqualTo(WireProtocol.COMPACT);
        assertThat(ThriftHttpRequests.protocolOf("Application/JSON", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }

    @Test
    void stockClientsContentTypeIsSniffedFromTheFirstByte() {
        assertThat(ThriftHttpRequests.protocolOf("application/x-thrift", startingWith(0x80))).isEqualTo(WireProtocol.BINARY);
        assertThat(ThriftHttpRequests.protocolOf("application/x-thrift", startingWith(0x82))).isEqualTo(WireProtocol.COMPACT);
        assertThat(ThriftHttpRequests.protocolOf("application/x-thrift", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }

    @Test
    void otherContentTypesAreRefused() {
        assertThat(ThriftHttpRequests.protocolOf("text/plain", startingWith(0x80))).isNull();
        assertThat(ThriftHttpRequests.protocolOf(null, startingWith(0x80))).isNull();
        assertThat(ThriftHttpRequests.protocolOf("", startingWith(0x80))).isNull();
    }

    @Test
    void parametersWithoutAMediaTypeAreAnUnknownContentType() {
        assertThat(ThriftHttpRequests.protocolOf(";", startingWith(0x80))).isNull();
        assertThat(ThriftHttpRequests.protocolOf(" ;; ", startingWith(0x80))).isNull();
        assertThat(ThriftHttpRequests.protocolOf(";application/json", startingWith('['))).isNull();
        assertThat(ThriftHttpRequests.protocolOf("application/json;", startingWith('['))).isEqualTo(WireProtocol.JSON);
    }
}
