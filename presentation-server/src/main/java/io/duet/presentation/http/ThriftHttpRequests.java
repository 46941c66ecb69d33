package io.duet.presentation.http;

import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Locale;

/**
 * What an HTTP request to the Thrift API is, read before it is relayed: its HTTP version, its Thrift
 * protocol (from the content type, or sniffed) and whether its method belongs to the URL's service.
 */
final class ThriftHttpRequests {
    private static final ThriftCodec UNTRUSTED = new ThriftCodec(ThriftLimits.UNTRUSTED);

    private ThriftHttpRequests() {
    }

    /**
     * Why a request of this version is refused, or null if it is served: HTTP/1.0 and HTTP/1.1 are, and a
     * later HTTP/1.x as HTTP/1.1 (RFC 9110, 2.5). The codec accepts any {@code HTTP/digit.digit} and takes
     * an unknown version for one that keeps the connection alive.
     */
    static String unsupportedVersion(HttpVersion version) {
        if (version.protocolName().equals("HTTP") && version.majorVersion() == 1) {
            return null;
        }
        return "HTTP/1.1 or HTTP/1.0 only, not " + version.text();
    }

    /**
     * Why the call cannot go to {@code service}: its message is unreadable, or its name carries another
     * service's prefix ({@code chat:sendMessage} sent to {@code /api/v1/account}); null if it can.
     */
    static String serviceMismatch(String service, byte[] call, WireProtocol protocol) {
        String name;
        try {
            name = ThriftMessages.read(UNTRUSTED, call, protocol).header().name;
        } catch (MalformedPayloadException e) {
            return "unreadable Thrift message: " + e.getMessage();
        }
        int separator = name.indexOf(ThriftMessages.SERVICE_SEPARATOR);
        if (separator >= 0 && !name.substring(0, separator).equals(service)) {
            return "method '" + name + "' is not a method of service '" + service + "' (the URL's); send it to /api/v1/"
                    + name.substring(0, separator) + " without the prefix";
        }
        return null;
    }

    /** The protocol named by the content type, or sniffed from the first byte for application/x-thrift. */
    static WireProtocol protocolOf(String contentType, ByteBuf body) {
        String type = mediaType(contentType);
        switch (type) {
            case "application/vnd.apache.thrift.binary":
                return WireProtocol.BINARY;
            case "application/vnd.apache.thrift.compact":
                return WireProtocol.COMPACT;
            case "application/vnd.apache.thrift.json":
            case "application/json":
                return WireProtocol.JSON;
            case "application/x-thrift":
                if (!body.isReadable()) {
                    return WireProtocol.BINARY;
                }
                int first = body.getUnsignedByte(body.readerIndex());
                return first == 0x82 ? WireProtocol.COMPACT : first == '[' ? WireProtocol.JSON : WireProtocol.BINARY;
            default:
                return null;
        }
    }

    /** The media type of a Content-Type value, without its parameters, in lower case; "" if absent. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim().toLowerCase(Locale.ROOT);
    }
}
