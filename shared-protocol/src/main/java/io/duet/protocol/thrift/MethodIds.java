package io.duet.protocol.thrift;

import io.duet.protocol.api.commonConstants;
import java.util.HashMap;
import java.util.Map;

/**
 * Method ids ({@code common.METHOD_IDS} in the IDL): short names a TCP session's calls may carry in place of
 * {@code "service:method"}, once the couple's server says it takes them ({@code SubscribeResult.methodIdsVersion}).
 * The application server's dispatcher reads them back into full names; the presentation server tags its relay
 * timers by either.
 */
public final class MethodIds {
    private static final Map<String, String> FULL_NAME_BY_ID = Map.copyOf(commonConstants.METHOD_IDS);
    private static final Map<String, String> ID_BY_FULL_NAME = invert(FULL_NAME_BY_ID);

    private MethodIds() {
    }

    /**
     * Whether a server that takes method-id table {@code serverVersion} ({@code SubscribeResult.methodIdsVersion},
     * 0 if absent) takes every id of this table: tables only grow, so any version at least this one's.
     */
    public static boolean takenAt(int serverVersion) {
        return serverVersion >= commonConstants.METHOD_IDS_VERSION;
    }

    /** Every id, with the {@code "service:method"} name it stands for. */
    public static Map<String, String> all() {
        return FULL_NAME_BY_ID;
    }

    /** The {@code "service:method"} name {@code name} stands for if it is an id; else {@code name} itself. */
    public static String fullName(String name) {
        return FULL_NAME_BY_ID.getOrDefault(name, name);
    }

    /** The id of {@code service:method}; its full name if it has none. */
    public static String idOrFullName(String service, String method) {
        String fullName = service + ThriftMessages.SERVICE_SEPARATOR + method;
        return ID_BY_FULL_NAME.getOrDefault(fullName, fullName);
    }

    private static Map<String, String> invert(Map<String, String> byId) {
        Map<String, String> inverted = new HashMap<>();
        byId.forEach((id, fullName) -> {
            if (inverted.put(fullName, id) != null) {
                throw new IllegalStateException("two method ids for " + fullName);
            }
        });
        return Map.copyOf(inverted);
    }
}
