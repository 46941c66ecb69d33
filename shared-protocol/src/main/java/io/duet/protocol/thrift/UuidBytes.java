package io.duet.protocol.thrift;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * A UUID as its 16 bytes, most significant first: the form of {@code SendMessageRequest.clientMessageIdBytes}.
 * The SDK writes it, the application server reads it back (into the UUID's canonical, lowercase string).
 */
public final class UuidBytes {
    /** The length of a UUID's bytes. */
    public static final int LENGTH = 16;

    private UuidBytes() {
    }

    /** The 16 bytes of {@code id}, ready to read. */
    public static ByteBuffer of(UUID id) {
        return ByteBuffer.allocate(LENGTH).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits())
                .flip();
    }

    /**
     * The UUID whose bytes {@code bytes} holds from its position on; {@code bytes} is not moved.
     *
     * @throws IllegalArgumentException when {@code bytes} holds other than {@link #LENGTH} bytes
     */
    public static UUID toUuid(ByteBuffer bytes) {
        if (bytes.remaining() != LENGTH) {
            throw new IllegalArgumentException(bytes.remaining() + " bytes (expected: " + LENGTH + ")");
        }
        return new UUID(bytes.getLong(bytes.position()), bytes.getLong(bytes.position() + 8));
    }
}
