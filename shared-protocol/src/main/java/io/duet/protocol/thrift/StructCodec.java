package io.duet.protocol.thrift;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.thrift.TBase;
import org.apache.thrift.TEnum;
import org.apache.thrift.TEnumHelper;
import org.apache.thrift.TException;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TFieldRequirementType;
import org.apache.thrift.TUnion;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryInputTransport;

/**
 * Reads and writes compact-protocol structs field by field, keeping in an {@link UnknownFields} the fields
 * that a struct does not declare. The generated read and write methods cannot: they skip unknown fields, and
 * each nested struct reads and writes itself.
 *
 * <p>The fields a struct declares (ids, names, requiredness) come from Thrift's metadata; the Java type of
 * each comes from the generated class's declaration of the field, which is exact where the metadata is not
 * (typedefs of structs, enums or binary). Everything else is done as the generated code does it: known fields
 * written in id order, optional ones only when set; a field of an unexpected wire type skipped; a missing
 * required field rejected; recursion counted against the protocol's limit. Unions are read and written whole
 * by their generated code.
 */
final class StructCodec {
    private static final ClassValue<StructType> STRUCT_TYPES = new ClassValue<>() {
        @Override
        protected StructType computeValue(Class<?> type) {
            return StructType.of(type);
        }
    };

    private final TProtocol protocol;
    private final UnknownFields unknown;

    /** @param protocol a compact protocol; when reading, over the {@link TMemoryInputTransport} of a payload */
    StructCodec(TProtocol protocol, UnknownFields unknown) {
        this.protocol = protocol;
        this.unknown = unknown;
    }

    void read(TBase<?, ?> struct) throws TException {
        if (struct instanceof TUnion) {
            struct.read(protocol);
            return;
        }
        StructType type = STRUCT_TYPES.get(struct.getClass());
        protocol.incrementRecursionDepth();
        try {
            protocol.readStructBegin();
            for (TField header = protocol.readFieldBegin(); header.type != TType.STOP;
                    header = protocol.readFieldBegin()) {
                FieldType field = type.byId.get(header.id);
                if (field == null) {
                    unknown.add(struct, readUnknown(header));
                } else if (header.type == field.header.type) {
                    field.set(struct, readValue(field.valueType));
                } else {
                    TProtocolUtil.skip(protocol, header.type);
                }
                protocol.readFieldEnd();
            }
            protocol.readStructEnd();
        } finally {
            protocol.decrementRecursionDepth();
        }
        for (FieldType field : type.fields) {
            if (field.requirement == TFieldRequirementType.REQUIRED && !field.isSet(struct)) {
                throw new TProtocolException(TProtocolException.INVALID_DATA, "required field '"
                        + field.header.name + "' is missing from " + struct.getClass().getSimpleName());
            }
        }
    }

    private UnknownFields.Field readUnknown(TField header) throws TException {
        if (header.type == TType.BOOL) {
            return UnknownFields.Field.ofBool(header.id, protocol.readBool());
        }
        TMemoryInputTransport input = (TMemoryInputTransport) protocol.getTransport();
        int start = input.getBufferPosition();
        TProtocolUtil.skip(protocol, header.type);
        return new UnknownFields.Field(header.id, header.type,
                Arrays.copyOfRange(input.getBuffer(), start, input.getBufferPosition()));
    }

    private Object readValue(ValueType type) throws TException {
        return switch (type.kind) {
            case BOOL -> protocol.readBool();
            case BYTE -> protocol.readByte();
            case I16 -> protocol.readI16();
            case I32 -> protocol.readI32();
            case I64 -> protocol.readI64();
            case DOUBLE -> protocol.readDouble();
            case UUID -> protocol.readUuid();
            case STRING -> protocol.readString();
            case BINARY -> protocol.readBinary();
            case ENUM -> TEnumHelper.getByValue(type.javaClass.asSubclass(TEnum.class), protocol.readI32());
            case STRUCT -> {
                TBase<?, ?> struct = type.newStruct();
                read(struct);
                yield struct;
            }
            case LIST -> {
                TList list = protocol.readListBegin();
                List<Object> elements = new ArrayList<>(list.size);
                for (int i = 0; i < list.size; i++) {
                    elements.add(readValue(type.parameters[0]));
                }
                protocol.readListEnd();
                yield elements;
            }
            case SET -> {
                TSet set = protocol.readSetBegin();
                Set<Object> elements = new HashSet<>(2 * set.size);
                for (int i = 0; i < set.size; i++) {
                    elements.add(readValue(type.parameters[0]));
                }
                protocol.readSetEnd();
                yield elements;
            }
            case MAP -> {
                TMap map = protocol.readMapBegin();
                Map<Object, Object> entries = new HashMap<>(2 * map.size);
                for (int i = 0; i < map.size; i++) {
                    entries.put(readValue(type.parameters[0]), readValue(type.parameters[1]));
                }
                protocol.readMapEnd();
                yield entries;
            }
        };
    }

    void write(TBase<?, ?> struct) throws TException {
        if (struct instanceof TUnion) {
            struct.write(protocol);
            return;
        }
        StructType type = STRUCT_TYPES.get(struct.getClass());
        protocol.writeStructBegin(type.descriptor);
        for (FieldType field : type.fields) {
            Object value = field.get(struct);
            if (value == null && field.requirement == TFieldRequirementType.REQUIRED) {
                throw new TProtocolException("required field '" + field.header.name + "' of "
                        + struct.getClass().getSimpleName() + " is not set");
            }
            if (value != null && (field.requirement != TFieldRequirementType.OPTIONAL || field.isSet(struct))) {
                protocol.writeFieldBegin(field.header);
                writeValue(field.valueType, value);
                protocol.writeFieldEnd();
            }
        }
        for (UnknownFields.Field field : unknown.of(struct)) {
            field.writeTo(protocol);
        }
        protocol.writeFieldStop();
        protocol.writeStructEnd();
    }

    private void writeValue(ValueType type, Object value) throws TException {
        switch (type.kind) {
            case BOOL -> protocol.writeBool((Boolean) value);
            case BYTE -> protocol.writeByte((Byte) value);
            case I16 -> protocol.writeI16((Short) value);
            case I32 -> protocol.writeI32((Integer) value);
            case I64 -> protocol.writeI64((Long) value);
            case DOUBLE -> protocol.writeDouble((Double) value);
            case UUID -> protocol.writeUuid((UUID) value);
            case STRING -> protocol.writeString((String) value);
            // A struct's getter hands out a binary field as byte[]; inside containers it is a ByteBuffer.
            case BINARY -> protocol.writeBinary(value instanceof byte[] ? ByteBuffer.wrap((byte[]) value)
                    : (ByteBuffer) value);
            case ENUM -> protocol.writeI32(((TEnum) value).getValue());
            case STRUCT -> write((TBase<?, ?>) value);
            case LIST -> {
                List<?> elements = (List<?>) value;
                protocol.writeListBegin(new TList(type.parameters[0].kind.ttype, elements.size()));
                for (Object element : elements) {
                    writeValue(type.parameters[0], element);
                }
                protocol.writeListEnd();
            }
            case SET -> {
                Set<?> elements = (Set<?>) value;
                protocol.writeSetBegin(new TSet(type.parameters[0].kind.ttype, elements.size()));
                for (Object element : elements) {
                    writeValue(type.parameters[0], element);
                }
                protocol.writeSetEnd();
            }
            case MAP -> {
                Map<?, ?> entries = (Map<?, ?>) value;
                protocol.writeMapBegin(new TMap(type.parameters[0].kind.ttype, type.parameters[1].kind.ttype,
                        entries.size()));
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    writeValue(type.parameters[0], entry.getKey());
                    writeValue(type.parameters[1], entry.getValue());
                }
                protocol.writeMapEnd();
            }
        }
    }

    /** The declared fields of a struct class, in id order. */
    private static final class StructType {
        final TStruct descriptor;
        final List<FieldType> fields;
        final Map<Short, FieldType> byId = new HashMap<>();

        private StructType(TStruct descriptor, List<FieldType> fields) {
            this.descriptor = descriptor;
            this.fields = fields;
            fields.forEach(field -> byId.put(field.header.id, field));
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        static StructType of(Class<?> structClass) {
            Map<? extends TFieldIdEnum, FieldMetaData> metadata = FieldMetaData.getStructMetaDataMap((Class) structClass);
            List<FieldType> fields = new ArrayList<>();
            for (Map.Entry<? extends TFieldIdEnum, FieldMetaData> entry : metadata.entrySet()) {
                FieldMetaData field = entry.getValue();
                ValueType type;
                try {
                    type = ValueType.of(structClass.getDeclaredField(field.fieldName).getGenericType());
                } catch (NoSuchFieldException e) {
                    throw new UnsupportedOperationException(structClass.getName() + " has no Java field for "
                            + field.fieldName, e);
                }
                byte declared = field.valueMetaData.type == TType.ENUM ? TType.I32 : field.valueMetaData.type;
                if (declared != type.kind.ttype) {
                    throw new UnsupportedOperationException(structClass.getName() + "." + field.fieldName
                            + " is declared with Thrift type " + declared + " but held in a " + type.kind);
                }
                fields.add(new FieldType(entry.getKey(), new TField(field.fieldName, type.kind.ttype,
                        entry.getKey().getThriftFieldId()), field.requirementType, type));
            }
            fields.sort(Comparator.comparing(field -> field.header.id));
            return new StructType(new TStruct(structClass.getSimpleName()), List.copyOf(fields));
        }
    }

    /** One declared field of a struct class. */
    private static final class FieldType {
        final TFieldIdEnum id;
        final TField header;
        final byte requirement;
        final ValueType valueType;

        FieldType(TFieldIdEnum id, TField header, byte requirement, ValueType valueType) {
            this.id = id;
            this.header = header;
            this.requirement = requirement;
            this.valueType = valueType;
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        Object get(TBase struct) {
            return struct.getFieldValue(id);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        void set(TBase struct, Object value) {
            struct.setFieldValue(id, value);
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        boolean isSet(TBase struct) {
            return struct.isSet(id);
        }
    }

    /** How a value travels in Thrift, and which Java type holds it. */
    private enum Kind {
        BOOL(TType.BOOL), BYTE(TType.BYTE), I16(TType.I16), I32(TType.I32), I64(TType.I64), DOUBLE(TType.DOUBLE),
        UUID(TType.UUID), STRING(TType.STRING), BINARY(TType.STRING), ENUM(TType.I32), STRUCT(TType.STRUCT),
        LIST(TType.LIST), SET(TType.SET), MAP(TType.MAP);

        final byte ttype;

        Kind(byte ttype) {
            this.ttype = ttype;
        }
    }

    /** The type of a field or of a container's elements: its kind, Java class and type parameters. */
    private static final class ValueType {
        private static final Map<Type, Kind> SIMPLE = Map.ofEntries(
                Map.entry(boolean.class, Kind.BOOL), Map.entry(Boolean.class, Kind.BOOL),
                Map.entry(byte.class, Kind.BYTE), Map.entry(Byte.class, Kind.BYTE),
                Map.entry(short.class, Kind.I16), Map.entry(Short.class, Kind.I16),
                Map.entry(int.class, Kind.I32), Map.entry(Integer.class, Kind.I32),
                Map.entry(long.class, Kind.I64), Map.entry(Long.class, Kind.I64),
                Map.entry(double.class, Kind.DOUBLE), Map.entry(Double.class, Kind.DOUBLE),
                Map.entry(UUID.class, Kind.UUID), Map.entry(String.class, Kind.STRING),
                Map.entry(ByteBuffer.class, Kind.BINARY));
        private static final Map<Type, Kind> CONTAINERS = Map.of(List.class, Kind.LIST, Set.class, Kind.SET,
                Map.class, Kind.MAP);

        final Kind kind;
        final Class<?> javaClass;
        final ValueType[] parameters;

        private ValueType(Kind kind, Class<?> javaClass, ValueType... parameters) {
            this.kind = kind;
            this.javaClass = javaClass;
            this.parameters = parameters;
        }

        static ValueType of(Type type) {
            if (type instanceof ParameterizedType && CONTAINERS.containsKey(((ParameterizedType) type).getRawType())) {
                ParameterizedType container = (ParameterizedType) type;
                return new ValueType(CONTAINERS.get(container.getRawType()), (Class<?>) container.getRawType(),
                        Arrays.stream(container.getActualTypeArguments()).map(ValueType::of).toArray(ValueType[]::new));
            }
            if (SIMPLE.containsKey(type)) {
                return new ValueType(SIMPLE.get(type), (Class<?>) type);
            }
            if (type instanceof Class && TEnum.class.isAssignableFrom((Class<?>) type)) {
                return new ValueType(Kind.ENUM, (Class<?>) type);
            }
            if (type instanceof Class && TBase.class.isAssignableFrom((Class<?>) type)) {
                return new ValueType(Kind.STRUCT, (Class<?>) type);
            }
            throw new UnsupportedOperationException("no Thrift type is held in a " + type.getTypeName());
        }

        TBase<?, ?> newStruct() {
            try {
                return (TBase<?, ?>) javaClass.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create a " + javaClass.getName(), e);
            }
        }
    }
}
