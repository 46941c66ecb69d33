package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.thrift.UuidBytes;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientMessageIdsTest {
    private static final UUID ID = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    @Test
    void anIdSentAsBytesIsTheSameIdAsItsCanonicalString() throws DuetError {
        SendMessageRequest asBytes = new SendMessageRequest().setText("hi").setClientMessageIdBytes(UuidBytes.of(ID));
        ClientMessageIds.toCanonicalString(asBytes);
        assertThat(asBytes.getClientMessageId()).isEqualTo("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        assertThat(asBytes.isSetClientMessageIdBytes()).as("nothing downstream sees the bytes").isFalse();

        // An older SDK, or a retry, naming it as the string it always sent (UUID.toString()).
        SendMessageRequest asString = new SendMessageRequest().setText("hi").setClientMessageId(ID.toString());
        ClientMessageIds.toCanonicalString(asString);
        assertThat(asString.getClientMessageId()).isEqualTo(asBytes.getClientMessageId());
    }

    @Test
    void anIdOfOtherThan16BytesIsRefused() {
        assertThatThrownBy(() -> ClientMessageIds.toCanonicalString(
                new SendMessageRequest().setClientMessageIdBytes(new byte[15])))
                .isInstanceOfSatisfying(DuetError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("clientMessageIdBytes: 15 bytes (expected: 16)");
                });
        assertThatThrownBy(() -> ClientMessageIds.toCanonicalString(
                new SendMessageRequest().setClientMessageIdBytes(new byte[0])))
                .hasMessageContaining("0 bytes");
    }

    @Test
    void anIdSentBothWaysIsRefused() {
        assertThatThrownBy(() -> ClientMessageIds.toCanonicalString(new SendMessageRequest()
                .setClientMessageId(ID.toString()).setClientMessageIdBytes(UuidBytes.of(ID))))
                .isInstanceOfSatisfying(DuetError.class,
                        e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }

    @Test
    void anEmptyStringBesideTheBytesIsAbsentAsGoAndCppClientsWriteIt() throws DuetError {
        SendMessageRequest fromGo = new SendMessageRequest().setText("hi").setClientMessageId("")
                .setClientMessageIdBytes(UuidBytes.of(ID));
        ClientMessageIds.toCanonicalString(fromGo);
        assertThat(fromGo.getClientMessageId()).isEqualTo(ID.toString());
        assertThat(fromGo.isSetClientMessageIdBytes()).isFalse();
    }

    @Test
    void anUppercaseStringIdIsKeptAsSentSoItsBytesAreAnotherId() throws DuetError {
        SendMessageRequest upper = new SendMessageRequest().setClientMessageId(ID.toString().toUpperCase());
        ClientMessageIds.toCanonicalString(upper);
        SendMessageRequest asBytes = new SendMessageRequest().setClientMessageIdBytes(UuidBytes.of(ID));
        ClientMessageIds.toCanonicalString(asBytes);
        assertThat(upper.getClientMessageId()).as("old rows' dedup entries keep matching")
                .isEqualTo("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0").isNotEqualTo(asBytes.getClientMessageId());
    }

    @Test
    void aStringIdIsLeftAsItCame() throws DuetError {
        SendMessageRequest upper = new SendMessageRequest().setClientMessageId("ABC-not-a-uuid");
        ClientMessageIds.toCanonicalString(upper);
        assertThat(upper.getClientMessageId()).isEqualTo("ABC-not-a-uuid");
    }
}
