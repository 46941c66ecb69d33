package io.duet.protocol.thrift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidBytesTest {
    private static final UUID ID = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");

    @Test
    void aUuidIsItsSixteenBytesMostSignificantFirst() {
        ByteBuffer bytes = UuidBytes.of(ID);
        assertThat(bytes.remaining()).isEqualTo(16);
        assertThat(bytes.get(0)).isEqualTo((byte) 0x0f);
        assertThat(bytes.get(15)).isEqualTo((byte) 0xf0);
        assertThat(UuidBytes.toUuid(bytes)).isEqualTo(ID);
        assertThat(bytes.remaining()).as("not moved").isEqualTo(16);
    }

    @Test
    void bytesAreReadFromTheirPosition() {
        ByteBuffer shifted = ByteBuffer.allocate(20).put(new byte[4]).put(UuidBytes.of(ID)).flip();
        shifted.position(4);
        assertThat(UuidBytes.toUuid(shifted)).isEqualTo(ID);
    }

    @Test
    void otherThanSixteenBytesAreRefused() {
        assertThatThrownBy(() -> UuidBytes.toUuid(ByteBuffer.allocate(15)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("15 bytes (expected: 16)");
        assertThatThrownBy(() -> UuidBytes.toUuid(ByteBuffer.allocate(17))).hasMessage("17 bytes (expected: 16)");
    }
}
