package io.duet.presentation.session;

import io.duet.presentation.proxy.ProxyProtocol;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.relay.RelayStream;
import io.duet.presentation.relay.StreamListener;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.Set;
import org.apache.thrift.protocol.TMessageType;

/**
 * The calls a TCP client may make before its AUTH frame: the AccountService calls that make a token
 * ({@code signUp}, {@code logIn}, and {@code refreshSession} with a refresh token), so that a client with
 * no token yet gets one over the connection it then authenticates. Each is relayed as an anonymous
 * request, exactly as over HTTP: the same application server code, the same per-address rate limits
 * (the address is the connection's client's: behind a trusted load balancer, the one its PROXY header names,
 * see {@link ProxyProtocol}), the same errors in the REPLY. The bounds: at most {@link #MAX_CALLS}
 * per connection, one at a time (the socket is not read while one waits for its reply), and all within
 * the auth timeout, which still runs. Any other call, or one more, closes the connection with
 * NOT_AUTHENTICATED. On the connection's event loop only; made at the first such call.
 */
final class AccountCallsBeforeAuth implements StreamListener {
    /** Calls a connection may make before AUTH (a sign-up that finds the email taken, then a log-in, ...). */
    static final int MAX_CALLS = 3;
    /** The AccountService methods allowed before AUTH. */
    static final Set<String> METHODS = Set.of("signUp", "logIn", "refreshSession");
    private static final ThriftCodec UNTRUSTED = new ThriftCodec(ThriftLimits.UNTRUSTED);
    private static final String PREFIX = commonConstants.ACCOUNT_SERVICE + ThriftMessages.SERVICE_SEPARATOR;

    private final ChannelHandlerContext ctx;
    private final RoutingTable routing;
    private final AppLinks links;
    private int calls;
    /** The call waiting for its reply; null between calls. */
    private RelayStream inFlight;

    AccountCallsBeforeAuth(ChannelHandlerContext ctx, RoutingTable routing, AppLinks links) {
        this.ctx = ctx;
        this.routing = routing;
        this.links = links;
    }

    /** Relays the payload of a CALL frame that came before AUTH, or closes the connection if it may not go. */
    void call(byte[] call) {
        if (inFlight != null) {
            fail(SessionErrorCode.BAD_FRAME, "before AUTH, one call at a time: wait for the REPLY of the last");
            return;
        }
        String refused = refusal(call, calls);
        if (refused != null) {
            fail(SessionErrorCode.NOT_AUTHENTICATED, refused);
            return;
        }
        calls++;
        SocketAddress remote = ProxyProtocol.clientAddress(ctx.channel());
        Optional<AppServerInfo> server = routing.route(null, remote instanceof InetSocketAddress
                ? ((InetSocketAddress) remote).getAddress().getHostAddress() : String.valueOf(remote));
        if (server.isEmpty()) {
            fail(SessionErrorCode.UNAVAILABLE, "no application server available; retry");
            return;
        }
        OpenStream open = new OpenStream()
                .setKind(StreamKind.REQUEST)
                .setServiceName(commonConstants.ACCOUNT_SERVICE)
                .setProtocol(WireProtocol.COMPACT)
                .setClientAddress(String.valueOf(remote));
        ctx.channel().config().setAutoRead(false);
        inFlight = links.linkFor(server.get(), ctx.channel().eventLoop()).open(open, this);
        inFlight.sendCall(call);
    }

    /**
     * Why {@code call} may not go before AUTH, the {@code made}-th such call of its connection; null if it
     * may: it must be a CALL of signUp, logIn or refreshSession, with or without the {@code account:}
     * prefix, in the compact protocol of TCP sessions.
     */
    static String refusal(byte[] call, int made) {
        if (made >= MAX_CALLS) {
            return "at most " + MAX_CALLS + " account calls before AUTH: authenticate with the token you got";
        }
        ThriftMessages.Incoming incoming;
        try {
            incoming = ThriftMessages.read(UNTRUSTED, call, WireProtocol.COMPACT);
        } catch (MalformedPayloadException e) {
            return "unreadable call before AUTH: " + e.getMessage();
        }
        String name = incoming.header().name;
        String method = name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
        if (incoming.header().type != TMessageType.CALL || !METHODS.contains(method)) {
            return "the first frame must be AUTH; before it only AccountService's signUp, logIn and refreshSession "
                    + "may be called, not '" + name + "'";
        }
        return null;
    }

    @Override
    public void onPayload(PayloadKind kind, byte[] payload) {
        if (kind != PayloadKind.REPLY || inFlight == null) {
            return;
        }
        inFlight = null;
        ctx.writeAndFlush(Frame.of(FrameType.REPLY, payload));
        if (ctx.channel().isOpen()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void onClosed(CloseStream close) {
        if (inFlight == null) {
            return; // answered, or abandoned
        }
        inFlight = null;
        if (close.getReason() == CloseReason.PROTOCOL_ERROR) {
            fail(SessionErrorCode.BAD_FRAME, "malformed call: " + close.getDetail());
        } else {
            fail(SessionErrorCode.UNAVAILABLE, "the application server went away; retry");
        }
    }

    /** The connection authenticated or closed: a call still waiting is not answered. */
    void end() {
        RelayStream stream = inFlight;
        inFlight = null;
        if (stream != null) {
            stream.close(CloseReason.CLIENT_GONE);
        }
    }

    private void fail(SessionErrorCode code, String message) {
        end();
        SessionErrors.closeWith(ctx.channel(), code, message);
    }
}
