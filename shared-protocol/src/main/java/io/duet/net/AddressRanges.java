package io.duet.net;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IP addresses written as single addresses ({@code 10.0.0.7}, {@code 2001:db8::1}) or CIDR
 * ranges ({@code 10.0.0.0/24}, {@code 2001:db8::/64}). Only literal addresses: a host name is refused,
 * never looked up. IPv4 ranges do not match IPv6 addresses and the other way round, except that an
 * IPv4-mapped IPv6 address is matched as its IPv4 address. Immutable.
 */
public final class AddressRanges {
    private static final AddressRanges NONE = new AddressRanges(List.of(), List.of());

    private final List<Range> ranges;
    private final List<String> written;

    private AddressRanges(List<Range> ranges, List<String> written) {
        this.ranges = ranges;
        this.written = written;
    }

    public static AddressRanges none() {
        return NONE;
    }

    /**
     * @param entries addresses and CIDR ranges, blanks ignored
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static AddressRanges parse(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        List<String> written = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            ranges.add(Range.parse(entry));
            written.add(entry);
        }
        return ranges.isEmpty() ? NONE : new AddressRanges(List.copyOf(ranges), List.copyOf(written));
    }

    /** The address a literal IPv4 or IPv6 address names, or null for anything else (never looked up). */
    public static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            trimmed = trimmed.substring(1, trimmed.length() - 1);
        }
        return NetUtil.createInetAddressFromIpAddressString(trimmed);
    }

    public boolean contains(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = unmapped(address.getAddress());
        for (Range range : ranges) {
            if (range.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /** The addresses of both. */
    public AddressRanges and(AddressRanges other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Range> bothRanges = new ArrayList<>(ranges);
        bothRanges.addAll(other.ranges);
        List<String> bothWritten = new ArrayList<>(written);
        bothWritten.addAll(other.written);
        return new AddressRanges(List.copyOf(bothRanges), List.copyOf(bothWritten));
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    @Override
    public String toString() {
        return written.toString();
    }

    /** The IPv4 address of an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); others unchanged. */
    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length != 16) {
            return bytes;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return bytes;
            }
        }
        if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return bytes;
        }
        return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }

    private record Range(byte[] network, int prefixBits) {
        static Range parse(String entry) {
            int slash = entry.indexOf('/');
            InetAddress address = literal(slash < 0 ? entry : entry.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR range: " + entry);
            }
            byte[] bytes = unmapped(address.getAddress());
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in CIDR range: " + entry);
                }
            }
            return new Range(bytes, bits);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
