package io.duet.protocol.thrift;

import io.duet.protocol.relay.WireProtocol;
import java.util.Map;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TSerializable;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.meta_data.StructMetaData;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TProtocol;

/**
 * Thrift service messages as byte arrays: calls, replies and exceptions, the way a
 * {@code TServiceClient} and a processor would write them, but detached from any transport so that
 * they can travel inside frames and relay streams, many at a time, matched by sequence id.
 *
 * <p>Result structs are handled generically through Thrift's field metadata: field 0 is the return
 * value and the other fields are the declared exceptions.
 */
public final class ThriftMessages {
    /** Separates the service from the method in names on multiplexed TCP sessions. */
    public static final String SERVICE_SEPARATOR = ":";

    private static final short SUCCESS_FIELD_ID = 0;

    private ThriftMessages() {
    }

    /** A call (or oneway call) of {@code method} with {@code args}. */
    public static byte[] encodeCall(ThriftCodec codec, WireProtocol protocol, String method, int seqid,
            TBase<?, ?> args, boolean oneway) {
        return encode(codec, protocol, new TMessage(method, oneway ? TMessageType.ONEWAY : TMessageType.CALL, seqid),
                args);
    }

    /** The reply to call {@code seqid}, carrying a result struct. */
    public static byte[] encodeReply(ThriftCodec codec, WireProtocol protocol, String method, int seqid,
            TBase<?, ?> result) {
        return encode(codec, protocol, new TMessage(method, TMessageType.REPLY, seqid), result);
    }

    /** The reply to call {@code seqid} that failed outside the method's declared exceptions. */
    public static byte[] encodeException(ThriftCodec codec, WireProtocol protocol, String method, int seqid,
            TApplicationException exception) {
        return encode(codec, protocol, new TMessage(method, TMessageType.EXCEPTION, seqid), exception);
    }

    private static byte[] encode(ThriftCodec codec, WireProtocol protocol, TMessage header, TSerializable body) {
        try {
            return codec.encode(protocol, out -> {
                out.writeMessageBegin(header);
                body.write(out);
                out.writeMessageEnd();
            });
        } catch (TException e) {
            throw new IllegalArgumentException("cannot encode message " + header.name, e);
        }
    }

    /** Reads a message's header; its body can then be read from {@link Incoming#body()}. */
    public static Incoming read(ThriftCodec codec, byte[] bytes, WireProtocol protocol)
            throws MalformedPayloadException {
        TProtocol in = codec.newInput(bytes, protocol);
        try {
            return new Incoming(in.readMessageBegin(), in, bytes.length);
        } catch (TException | RuntimeException e) {
            throw ThriftCodec.malformed("message header", bytes.length, e);
        }
    }

    /** A message whose header has been read. */
    public static final class Incoming {
        private final TMessage header;
        private final TProtocol body;
        private final int length;

        Incoming(TMessage header, TProtocol body, int length) {
            this.header = header;
            this.body = body;
            this.length = length;
        }

        public TMessage header() {
            return header;
        }

        public TProtocol body() {
            return body;
        }

        /** Reads the body into {@code into} (an args or result struct) and returns it. */
        public <T extends TBase<?, ?>> T readBody(T into) throws MalformedPayloadException {
            try {
                into.read(body);
                body.readMessageEnd();
            } catch (TException | RuntimeException e) {
                throw ThriftCodec.malformed(header.name, length, e);
            }
            return into;
        }

        /** Reads the body of an EXCEPTION message. */
        public TApplicationException readApplicationException() throws MalformedPayloadException {
            try {
                TApplicationException e = TApplicationException.readFrom(body);
                body.readMessageEnd();
                return e;
            } catch (TException | RuntimeException e) {
                throw ThriftCodec.malformed(header.name, length, e);
            }
        }
    }

    /** Sets a result struct's return value; a no-op for void methods, whose results have no field 0. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void setSuccess(TBase result, Object value) {
        TFieldIdEnum success = result.fieldForId(SUCCESS_FIELD_ID);
        if (success != null && value != null) {
            result.setFieldValue(success, value);
        }
    }

    /**
     * Sets {@code exception} on the result field that declares its type.
     *
     * @return false when the method does not declare it (the caller then replies with an
     *     EXCEPTION message instead)
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static boolean setDeclaredException(TBase result, Throwable exception) {
        for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> field : metadataOf(result).entrySet()) {
            if (field.getKey().getThriftFieldId() == SUCCESS_FIELD_ID) {
                continue;
            }
            if (field.getValue().valueMetaData instanceof StructMetaData) {
                StructMetaData type = (StructMetaData) field.getValue().valueMetaData;
                if (type.structClass.isInstance(exception)) {
                    result.setFieldValue(field.getKey(), exception);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The return value in a result struct, or throws the declared exception it carries.
     *
     * @return null for a void method
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object unwrapResult(TBase result, String method) throws TException {
        TFieldIdEnum success = result.fieldForId(SUCCESS_FIELD_ID);
        if (success != null && result.isSet(success)) {
            return result.getFieldValue(success);
        }
        for (TFieldIdEnum field : metadataOf(result).keySet()) {
            if (field.getThriftFieldId() != SUCCESS_FIELD_ID && result.isSet(field)) {
                throw (TException) result.getFieldValue(field);
            }
        }
        if (success == null) {
            return null;
        }
        throw new TApplicationException(TApplicationException.MISSING_RESULT, method + " failed: unknown result");
    }

    @SuppressWarnings("rawtypes")
    private static Map<? extends TFieldIdEnum, FieldMetaData> metadataOf(TBase result) {
        return FieldMetaData.getStructMetaDataMap(result.getClass());
    }
}
