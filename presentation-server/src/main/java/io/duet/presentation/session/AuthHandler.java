package io.duet.presentation.session;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The first frame of a client connection must be AUTH with a valid token, within the auth timeout, or a
 * CALL of one of the AccountService calls that make a token ({@link AccountCallsBeforeAuth}: a few,
 * one at a time, relayed as over HTTP), after which AUTH must come. Anything else gets a typed ERROR
 * and the connection is closed. On success this handler answers
 * AUTH_OK, puts a {@link TokenLifetimeHandler} before itself (the session ends with its token) and
 * replaces itself with the session's relay handler. While it is in the pipeline the connection counts in
 * {@link SessionRegistry} as authenticating, so that a drain waits for it.
 */
final class AuthHandler extends SimpleChannelInboundHandler<Frame> {
    /** The name of the {@link TokenLifetimeHandler} of an authenticated session. */
    static final String TOKEN_LIFETIME = "tokenLifetime";
    private static final ThriftCodec UNTRUSTED = new ThriftCodec(ThriftLimits.UNTRUSTED);

    private final Authenticator authenticator;
    private final Function<Principal, ChannelHandler> sessions;
    private final SessionRegistry registry;
    private final SessionSettings settings;
    private final RoutingTable routing;
    private final AppLinks links;
    private ScheduledFuture<?> timeout;
    /** The account calls made before AUTH; null until the first. */
    private AccountCallsBeforeAuth accountCalls;

    /**
     * @param sessions makes the handler that serves an authenticated session, which registers it in
     *     {@code registry} when it is added
     */
    AuthHandler(Authenticator authenticator, Function<Principal, ChannelHandler> sessions, SessionRegistry registry,
            SessionSettings settings, RoutingTable routing, AppLinks links) {
        this.routing = routing;
        this.links = links;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.registry = registry;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        registry.authenticationStarted();
        timeout = ctx.executor().schedule(() -> SessionErrors.closeWith(ctx.channel(), SessionErrorCode.AUTH_TIMEOUT,
                "no AUTH frame within " + settings.authTimeout.toMillis() + " ms"),
                settings.authTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Replaced by the session (which Netty adds, and so registers, first) or the connection closed. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (accountCalls != null) {
            accountCalls.end();
        }
        registry.authenticationEnded();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
        if (frame.type() == FrameType.CALL) {
            if (accountCalls == null) {
                accountCalls = new AccountCallsBeforeAuth(ctx, routing, links);
            }
            accountCalls.call(frame.payload());
            return;
        }
        if (frame.type() != FrameType.AUTH) {
            fail(ctx, SessionErrorCode.NOT_AUTHENTICATED, "the first frame must be AUTH, got " + frame.type());
            return;
        }
        AuthRequest request;
        try {
            request = UNTRUSTED.decode(frame.payload(), new AuthRequest());
        } catch (MalformedPayloadException e) {
            fail(ctx, SessionErrorCode.BAD_FRAME, "unreadable AUTH frame: " + e.getMessage());
            return;
        }
        if (request.getApiVersion() != commonConstants.API_VERSION) {
            fail(ctx, SessionErrorCode.UNSUPPORTED_VERSION, "API version " + request.getApiVersion()
                    + " is not supported (expected: " + commonConstants.API_VERSION + ")");
            return;
        }
        TokenClaims claims;
        try {
            claims = authenticator.verify(request.getToken());
        } catch (TokenException e) {
            fail(ctx, codeFor(e.reason()), e.getMessage());
            return;
        }
        Principal principal = Authenticator.principalOf(claims);
        AuthAccepted accepted = new AuthAccepted()
                .setUserId(principal.getUserId())
                .setServerTimeMillis(System.currentTimeMillis())
                .setTokenExpiresAtMillis(claims.getExpiresAtMillis())
                .setDeviceId(principal.getDeviceId())
                .setMaxFrameBytes(FrameLimits.CLIENT_TO_SERVER.maxFrameBytes())
                .setPingIntervalMillis((int) settings.pingInterval.toMillis());
        if (principal.getCoupleId() != 0) {
            accepted.setCoupleId(principal.getCoupleId());
        }
        // AUTH_OK is flushed only once the session is registered: a client that has read it is known to a
        // drain or a revocation that starts after that, and whatever the session writes on registering
        // (a drain's notice) follows it.
        Channel channel = ctx.channel();
        ctx.write(Frame.of(FrameType.AUTH_OK, ThriftCodec.INTERNAL.encode(accepted)));
        ctx.pipeline().addBefore(ctx.name(), TOKEN_LIFETIME, new TokenLifetimeHandler(claims, Clock.systemUTC()));
        ctx.pipeline().replace(this, "session", sessions.apply(principal));
        channel.flush();
        // The session is registered now: a revocation from here on finds it, and one that came since the
        // token was verified is seen here.
        if (authenticator.isRevoked(claims)) {
            SessionErrors.closeWith(ctx.channel(), SessionErrorCode.TOKEN_REVOKED,
                    "the session was logged out: log in again");
        }
    }

    private static SessionErrorCode codeFor(TokenException.Reason reason) {
        switch (reason) {
            case EXPIRED:
                return SessionErrorCode.TOKEN_EXPIRED;
            case REVOKED:
                return SessionErrorCode.TOKEN_REVOKED;
            default:
                return SessionErrorCode.TOKEN_INVALID;
        }
    }

    private static void fail(ChannelHandlerContext ctx, SessionErrorCode code, String message) {
        SessionErrors.closeWith(ctx.channel(), code, message);
    }
}
