package io.duet.process.metrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a CBOR document (RFC 8949) into maps, lists, strings, numbers and byte arrays: what the AWS SDK's
 * Smithy RPC v2 CBOR protocol sends. Enough for a test's stand-in endpoint, not a general decoder: tags are
 * read through (their content is kept), simple values other than false, true and null are refused.
 */
final class CborReader {
    private static final Object BREAK = new Object();

    private final ByteArrayInputStream in;

    private CborReader(byte[] bytes) {
        this.in = new ByteArrayInputStream(bytes);
    }

    static Object read(byte[] bytes) {
        CborReader reader = new CborReader(bytes);
        Object value = reader.next();
        if (value == BREAK || reader.in.available() > 0) {
            throw new IllegalArgumentException("not one CBOR item: " + bytes.length + " bytes");
        }
        return value;
    }

    private int readByte() {
        int b = in.read();
        if (b < 0) {
            throw new IllegalArgumentException("CBOR ends early");
        }
        return b;
    }

    private long argument(int info) {
        if (info < 24) {
            return info;
        }
        int bytes = switch (info) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            default -> throw new IllegalArgumentException("CBOR additional info " + info);
        };
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value = (value << 8) | readByte();
        }
        return value;
    }

    private byte[] bytes(long length) {
        try {
            return in.readNBytes((int) length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object next() {
        int initial = readByte();
        int major = initial >>> 5;
        int info = initial & 0x1f;
        boolean indefinite = info == 31;
        switch (major) {
            case 0:
                return argument(info);
            case 1:
                return -1 - argument(info);
            case 2:
            case 3: {
                byte[] content;
                if (indefinite) {
                    java.io.ByteArrayOutputStream chunks = new java.io.ByteArrayOutputStream();
                    for (Object chunk = next(); chunk != BREAK; chunk = next()) {
                        chunks.writeBytes(chunk instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) chunk);
                    }
                    content = chunks.toByteArray();
                } else {
                    content = bytes(argument(info));
                }
                return major == 2 ? content : new String(content, StandardCharsets.UTF_8);
            }
            case 4: {
                List<Object> list = new ArrayList<>();
                long count = indefinite ? Long.MAX_VALUE : argument(info);
                for (long i = 0; i < count; i++) {
                    Object item = next();
                    if (item == BREAK) {
                        break;
                    }
                    list.add(item);
                }
                return list;
            }
            case 5: {
                Map<Object, Object> map = new LinkedHashMap<>();
                long count = indefinite ? Long.MAX_VALUE : argument(info);
                for (long i = 0; i < count; i++) {
                    Object key = next();
                    if (key == BREAK) {
                        break;
                    }
                    map.put(key, next());
                }
                return map;
            }
            case 6:
                argument(info);
                return next();
            default:
                return simple(info);
        }
    }

    private Object simple(int info) {
        switch (info) {
            case 20:
                return false;
            case 21:
                return true;
            case 22:
                return null;
            case 25:
                return halfFloat((int) argument(info));
            case 26:
                return (double) Float.intBitsToFloat((int) argument(info));
            case 27:
                return Double.longBitsToDouble(argument(info));
            case 31:
                return BREAK;
            default:
                throw new IllegalArgumentException("CBOR simple value " + info);
        }
    }

    private static double halfFloat(int bits) {
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double value = exponent == 0 ? mantissa * Math.pow(2, -24)
                : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                : (mantissa + 1024) * Math.pow(2, exponent - 25);
        return (bits & 0x8000) != 0 ? -value : value;
    }
}
