package io.duet.app.limits;

import io.duet.net.AddressRanges;
import java.net.InetAddress;

/**
 * The key a client's source address is limited by: the IPv4 address, or the /64 prefix of an IPv6
 * address (one subscriber usually holds a whole /64, so limiting single IPv6 addresses would limit
 * nothing).
 */
public final class SourceAddress {
    private SourceAddress() {
    }

    /**
     * @param clientAddress as the presentation server sends it, {@code String.valueOf} of the client's
     *     socket address: {@code /203.0.113.7:51234}, {@code host/203.0.113.7:51234} or
     *     {@code /2001:db8:0:0:1:2:3:4:51234}; may be null
     * @return the key, or "" when there is no address
     */
    public static String keyOf(String clientAddress) {
        if (clientAddress == null || clientAddress.isEmpty()) {
            return "";
        }
        String address = clientAddress.substring(clientAddress.indexOf('/') + 1);
        int lastColon = address.lastIndexOf(':');
        if (lastColon > 0 && address.indexOf(':') == lastColon) {
            return address.substring(0, lastColon); // IPv4 with a port
        }
        if (address.startsWith("[")) {
            address = address.substring(1, Math.max(1, address.indexOf(']')));
        }
        String[] groups = address.split(":", -1);
        if (groups.length < 4) {
            return address;
        }
        return groups[0] + ':' + groups[1] + ':' + groups[2] + ':' + groups[3] + "::/64";
    }

    /** The address a key of {@link #keyOf} stands for (an IPv6 /64's first address), or null. */
    public static InetAddress addressOf(String key) {
        return AddressRanges.literal(key.endsWith("::/64") ? key.substring(0, key.length() - 3) : key);
    }
}
