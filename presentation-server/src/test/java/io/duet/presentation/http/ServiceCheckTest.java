package io.duet.presentation.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import org.junit.jupiter.api.Test;

class ServiceCheckTest {
    private static byte[] call(String name, WireProtocol protocol) {
        return ThriftMessages.encodeCall(ThriftCodec.INTERNAL, protocol, name, 1, new SendMessageRequest(), false);
    }

    @Test
    void aMethodOfAnotherServiceIsRefused() {
        for (WireProtocol protocol : WireProtocol.values()) {
            assertThat(ThriftHttpRequests.serviceMismatch("account", call("chat:sendMessage", protocol), protocol))
                    .as("%s", protocol)
                    .contains("'chat:sendMessage' is not a method of service 'account'");
        }
    }

    @Test
    void aPlainNameOrTheUrlsOwnPrefixIsAccepted() {
        assertThat(ThriftHttpRequests.serviceMismatch("chat", call("sendMessage", WireProtocol.BINARY), WireProtocol.BINARY))
                .isNull();
        assertThat(ThriftHttpRequests.serviceMismatch("chat", call("chat:sendMessage", WireProtocol.COMPACT),
                WireProtocol.COMPACT)).isNull();
    }

    @Test
    void anUnreadableMessageIsRefused() {
        assertThat(ThriftHttpRequests.serviceMismatch("chat", new byte[] {1, 2, 3}, WireProtocol.BINARY))
                .startsWith("unreadable Thrift message");
    }
}
