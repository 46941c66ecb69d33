package io.duet.protocol.frame;

/**
 * What a frame carries. Every frame on a Duet TCP connection is laid out as
 *
 * <pre>
 * +------------------+---------+----------+--------------------------+
 * | length: u32, BE  | type: u8| flags: u8| body: length - 2 bytes   |
 * +------------------+---------+----------+--------------------------+
 * </pre>
 *
 * where {@code length} counts the type, flags and body bytes. Flag {@link Frame#FLAG_SNAPPY} means
 * the body is a raw snappy block, which starts with the varint-encoded uncompressed length.
 *
 * <p>On a client connection the first frame is {@link #AUTH}; the server answers {@link #AUTH_OK} or
 * {@link #ERROR} and then closes. After that, {@link #CALL} bodies are Thrift messages named
 * {@code "service:method"} (as with {@code TMultiplexedProtocol}) in the compact protocol, relayed
 * unparsed to the application server that owns the couple; {@link #REPLY} and {@link #EVENT} come
 * back the same way.
 */
public enum FrameType {
    /** Client to server, first frame only: an {@code api.AuthRequest}. */
    AUTH(1),
    /** Server to client: an {@code api.AuthAccepted}. */
    AUTH_OK(2),
    /** Client to server: a Thrift CALL message. */
    CALL(3),
    /** Server to client: the Thrift REPLY or EXCEPTION message answering a CALL. */
    REPLY(4),
    /** Server to client: an {@code api.Event}. */
    EVENT(5),
    /** Server to client: an {@code api.SessionError}; the server closes the connection after it. */
    ERROR(6),
    /** Either way: keep-alive; the body is echoed in the PONG. */
    PING(7),
    PONG(8),
    /** Server to client: an {@code api.SessionNotice}. */
    NOTICE(9),
    /** Presentation and application servers only: a {@code relay.RelayFrame}. */
    RELAY(16);

    private static final FrameType[] BY_CODE = new FrameType[256];

    static {
        for (FrameType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The byte that identifies this type on the wire. */
    public int code() {
        return code;
    }

    /** The type with this wire code, or {@code null} if there is none. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
