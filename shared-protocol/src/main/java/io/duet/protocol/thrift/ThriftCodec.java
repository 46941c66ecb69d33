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
 * Duet speaks, enforcing {@link ThriftLimits} on everything it reads. Records that are read, changed and
 * written back go through {@link #decodeKeepingUnknown} and {@link #encodeKeepingUnknown}, which keep the
 * fields a newer version added ({@link UnknownFields}). Immutable and thread-safe.
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
        return write(value, protocol, value::write);
    }

    /**
     * {@code value} in the compact protocol, with the fields that {@code unknown} holds for it and for the
     * structs nested in it written back after their known fields: the other half of {@link
     * #decodeKeepingUnknown}.
     */
    public byte[] encodeKeepingUnknown(TBase<?, ?> value, UnknownFields unknown) {
        return write(value, WireProtocol.COMPACT, out -> new StructCodec(out, unknown).write(value));
    }

    private byte[] write(TBase<?, ?> value, WireProtocol protocol, ProtocolAction writer) {
        try {
            return encode(protocol, writer);
        } catch (TException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * What {@code writer} writes through a protocol into memory. The compact protocol writes into a buffer
     * its thread reuses ({@link ScratchOutput}); the others into a new one.
     */
    public byte[] encode(WireProtocol protocol, ProtocolAction writer) throws TException {
        if (protocol != WireProtocol.COMPACT) {
            Output output = newOutput(protocol);
            writer.run(output.protocol());
            return output.toByteArray();
        }
        ScratchOutput scratch = ScratchOutput.acquire();
        try {
            writer.run(scratch.protocol());
            return scratch.toByteArray();
        } finally {
            scratch.release();
        }
    }

    /** Reads a compact-protocol {@code bytes} into {@code into} and returns it. */
    public <T extends TBase<?, ?>> T decode(byte[] bytes, T into) throws MalformedPayloadException {
        return decode(bytes, into, WireProtocol.COMPACT);
    }

    public <T extends TBase<?, ?>> T decode(byte[] bytes, T into, WireProtocol protocol)
            throws MalformedPayloadException {
        return read(bytes, into, protocol, into::read);
    }

    /**
     * Reads a compact-protocol {@code bytes} into {@code into}, as {@link #decode(byte[], TBase)} does, and
     * also records in {@code unknown} the fields of {@code into}, and of every struct nested in it, that this
     * version does not declare, for {@link #encodeKeepingUnknown} to write back: for records that are read,
     * changed and written back while servers of two versions run side by side. The same limits apply.
     */
    public <T extends TBase<?, ?>> T decodeKeepingUnknown(byte[] bytes, T into, UnknownFields unknown)
            throws MalformedPayloadException {
        return read(bytes, into, WireProtocol.COMPACT, in -> new StructCodec(in, unknown).read(into));
    }

    private <T extends TBase<?, ?>> T read(byte[] bytes, T into, WireProtocol protocol, ProtocolAction reader)
            throws MalformedPayloadException {
        TProtocol in = newInput(bytes, protocol);
        try {
            reader.run(in);
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

    /** Reads or writes one value through a protocol. */
    public interface ProtocolAction {
        void run(TProtocol protocol) throws TException;
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
