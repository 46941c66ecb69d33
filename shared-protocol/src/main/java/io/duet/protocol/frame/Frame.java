package io.duet.protocol.frame;

import java.util.Objects;

/**
 * One decoded frame: its type and its body, already decompressed. Whether a frame travels compressed
 * is the encoder's choice and not part of the frame.
 */
public final class Frame {
    /** Flag bit: the body is a raw snappy block. */
    public static final int FLAG_SNAPPY = 0x01;
    /** All flag bits this version understands; any other bit makes a frame malformed. */
    static final int KNOWN_FLAGS = FLAG_SNAPPY;

    private static final byte[] EMPTY = new byte[0];

    private final FrameType type;
    private final byte[] payload;

    private Frame(FrameType type, byte[] payload) {
        this.type = Objects.requireNonNull(type, "type");
        this.payload = Objects.requireNonNull(payload, "payload");
    }

    /** A frame carrying {@code payload}, which the frame takes over: do not change it afterwards. */
    public static Frame of(FrameType type, byte[] payload) {
        return new Frame(type, payload);
    }

    /** A frame with an empty body. */
    public static Frame empty(FrameType type) {
        return new Frame(type, EMPTY);
    }

    public FrameType type() {
        return type;
    }

    /** The body, uncompressed. Shared, not copied: callers must not change it. */
    public byte[] payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "Frame(" + type + ", " + payload.length + " bytes)";
    }
}
