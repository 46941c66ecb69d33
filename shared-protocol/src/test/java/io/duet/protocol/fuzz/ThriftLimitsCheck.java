package io.duet.protocol.fuzz;

import io.duet.protocol.thrift.ThriftLimits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.meta_data.FieldMetaData;

/**
 * Walks a decoded Thrift struct and fails if anything in it is larger than {@link ThriftLimits} allow:
 * a string or binary over the message size, a container over the container length, nesting deeper than
 * the nesting depth. What the decoder let through must be within the limits it was given.
 */
public final class ThriftLimitsCheck {
    private final ThriftLimits limits;

    public ThriftLimitsCheck(ThriftLimits limits) {
        this.limits = limits;
    }

    public void check(TBase<?, ?> struct) {
        checkValue(struct, 1);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void checkValue(Object value, int depth) {
        if (depth > limits.maxNestingDepth()) {
            throw new AssertionError("nested " + depth + " deep, over the limit of " + limits.maxNestingDepth());
        }
        if (value instanceof TBase) {
            TBase struct = (TBase) value;
            Map<? extends TFieldIdEnum, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap(struct.getClass());
            for (TFieldIdEnum field : fields.keySet()) {
                if (struct.isSet(field)) {
                    checkValue(struct.getFieldValue(field), depth + 1);
                }
            }
        } else if (value instanceof String) {
            checkBytes(((String) value).getBytes(StandardCharsets.UTF_8).length);
        } else if (value instanceof byte[]) {
            checkBytes(((byte[]) value).length);
        } else if (value instanceof ByteBuffer) {
            checkBytes(((ByteBuffer) value).remaining());
        } else if (value instanceof Collection) {
            Collection<?> elements = (Collection<?>) value;
            checkLength(elements.size());
            elements.forEach(element -> checkValue(element, depth + 1));
        } else if (value instanceof Map) {
            Map<?, ?> entries = (Map<?, ?>) value;
            checkLength(entries.size());
            entries.forEach((key, element) -> {
                checkValue(key, depth + 1);
                checkValue(element, depth + 1);
            });
        }
    }

    private void checkBytes(int length) {
        if (length > limits.maxMessageBytes()) {
            throw new AssertionError("a string or binary of " + length + " bytes, over the limit of "
                    + limits.maxMessageBytes());
        }
    }

    private void checkLength(int length) {
        if (length > limits.maxContainerLength()) {
            throw new AssertionError("a container of " + length + " elements, over the limit of "
                    + limits.maxContainerLength());
        }
    }
}
