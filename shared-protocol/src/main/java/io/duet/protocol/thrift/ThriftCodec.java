package io.duet.protocol.thrift;

import io.duet.protocol.relay.WireProtocol;
import java.util.Arrays;
import java.util.Objects;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TJSONProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * Serializes Thrift structs and opens protocols over byte arrays, in any of the three protocols
 * Duet speaks, enforcing {@link ThriftLimits} on everything it reads. Immutable and thread-safe.
 */
public final class ThriftCodec {
    /** The codec for compact-protocol records between our own components. */
    public static final ThriftCodec INTERNAL = new ThriftCodec(ThriftLimits.INTERNAL);

    private final ThriftLimits limits;
    private final TConfiguration configuration;

    public ThriftCodec(ThriftLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.configuration = limits.configuration();
    }

    public ThriftLimits limits() {
        return limits;
    }

    /** {@code value} in the compact protocol. */
    public byte[] encode(TBase<?, ?> value) {
        return encode(value, WireProtocol.COMPACT);
    }

    public byte[] encode(TBase<?, ?> value, WireProtocol protocol) {
        Output output = newOutput(protocol);
        try {
            value.write(output.protocol());
        } catch (TException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
        return output.toByteArray();
    }

    /** Reads a compact-protocol {@code bytes} into {@code into} and returns it. */
    public <T extends TBase<?, ?>> T decode(byte[] bytes, T into) throws MalformedPayloadException {
        return decode(bytes, into, WireProtocol.COMPACT);
    }

    public <T extends TBase<?, ?>> T decode(byte[] bytes, T into, WireProtocol protocol)
            throws MalformedPayloadException {
        TProtocol in = newInput(bytes, protocol);
        try {
            into.read(in);
        } catch (TException | RuntimeException e) {
            throw malformed(into.getClass().getSimpleName(), bytes.length, e);
        }
        return into;
    }

    /** A protocol reading {@code bytes} under this codec's limits. */
    public TProtocol newInput(byte[] bytes, WireProtocol protocol) throws MalformedPayloadException {
        if (bytes.length > limits.maxMessageBytes()) {
            throw new MalformedPayloadException("payload of " + bytes.length
                    + " bytes exceeds the limit of " + limits.maxMessageBytes() + " bytes");
        }
        try {
            return protocolOn(new TMemoryInputTransport(configuration, bytes), protocol);
        } catch (TTransportException e) {
            throw new MalformedPayloadException("cannot read a payload of " + bytes.length + " bytes", e);
        }
    }

    /** A protocol writing into memory; see {@link Output#toByteArray()}. */
    public Output newOutput(WireProtocol protocol) {
        try {
            TMemoryBuffer buffer = new TMemoryBuffer(configuration, 256);
            return new Output(buffer, protocolOn(buffer, protocol));
        } catch (TTransportException e) {
            throw new IllegalStateException("cannot create a memory buffer", e);
        }
    }

    private TProtocol protocolOn(TTransport transport, WireProtocol protocol) {
        long stringLimit = limits.maxMessageBytes();
        long containerLimit = limits.maxContainerLength();
        switch (Objects.requireNonNull(protocol, "protocol")) {
            case COMPACT:
                return new TCompactProtocol(transport, stringLimit, containerLimit);
            case BINARY:
                return new TBinaryProtocol(transport, stringLimit, containerLimit, true, true);
            case JSON:
                return new TJSONProtocol(transport);
            default:
                throw new IllegalArgumentException("protocol: " + protocol);
        }
    }

    static MalformedPayloadException malformed(String what, int length, Exception cause) {
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new MalformedPayloadException("malformed " + what + " (" + length + " bytes): " + detail, cause);
    }

    /** An in-memory protocol being written. */
    public static final class Output {
        private final TMemoryBuffer buffer;
        private final TProtocol protocol;

        Output(TMemoryBuffer buffer, TProtocol protocol) {
            this.buffer = buffer;
            this.protocol = protocol;
        }

        public TProtocol protocol() {
            return protocol;
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(buffer.getArray(), buffer.length());
        }
    }
}
