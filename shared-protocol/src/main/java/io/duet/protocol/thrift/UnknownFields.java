package io.duet.protocol.thrift;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TType;

/**
 * The fields of decoded structs that this version's IDL does not declare, kept byte for byte so that a
 * record read, changed and written back keeps what a newer version wrote into it. Thrift's generated Java
 * skips such fields when it reads and so drops them when it writes: during a rolling deploy, an old server
 * that rewrites a record would erase the new version's fields (VCNC had to deploy twice because of it).
 *
 * <p>{@link ThriftCodec#decodeKeepingUnknown} fills it for the decoded struct and for every struct nested
 * in it, in fields, lists, sets and maps; {@link ThriftCodec#encodeKeepingUnknown} writes each struct's
 * unknown fields back after its known ones. Structs are told apart by identity, not equality: a struct
 * that replaces a decoded one (a copy, or a record rebuilt from it) has no unknown fields until {@link
 * #carry} gives it those of the struct it replaces. Whether it should is the caller's decision, because a
 * field this version does not know may describe what the record was before the change.
 *
 * <p>Unions are read and written by their generated code, so a union member this version does not know is
 * still lost; so is an enum value it does not know, which reads as null as it always did. Not thread-safe:
 * meant for one read-modify-write.
 */
public final class UnknownFields {
    private final Map<TBase<?, ?>, List<Field>> byStruct = new IdentityHashMap<>();

    /**
     * Gives {@code to} the unknown fields of {@code from} that it does not carry yet (by field id), for a
     * struct that takes the place of {@code from} in a record and still means what it meant. Only those of
     * {@code from} itself: a nested struct keeps its own if it is the decoded instance, put back in place.
     */
    public void carry(TBase<?, ?> from, TBase<?, ?> to) {
        for (Field field : of(from)) {
            if (of(to).stream().noneMatch(kept -> kept.id == field.id)) {
                add(to, field);
            }
        }
    }

    void add(TBase<?, ?> struct, Field field) {
        byStruct.computeIfAbsent(struct, key -> new ArrayList<>()).add(field);
    }

    /** The unknown fields of {@code struct} itself (not of the structs nested in it), in the order read. */
    List<Field> of(TBase<?, ?> struct) {
        return byStruct.getOrDefault(struct, List.of());
    }

    /** One unknown field, as the compact protocol encoded it. */
    static final class Field {
        final short id;
        private final byte type;
        /**
         * The encoded value; for a bool, whose value the compact protocol carries in the field header, one
         * byte: 1 or 0.
         */
        private final byte[] value;

        Field(short id, byte type, byte[] value) {
            this.id = id;
            this.type = type;
            this.value = value;
        }

        static Field ofBool(short id, boolean value) {
            return new Field(id, TType.BOOL, new byte[] {(byte) (value ? 1 : 0)});
        }

        /**
         * Writes the field into a compact protocol; the protocol encodes the header, relative to the
         * previous field of the struct.
         */
        void writeTo(TProtocol out) throws TException {
            out.writeFieldBegin(new TField("", type, id));
            if (type == TType.BOOL) {
                out.writeBool(value[0] != 0);
            } else {
                out.getTransport().write(value);
            }
            out.writeFieldEnd();
        }
    }
}
