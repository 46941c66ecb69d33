package io.duet.presentation.session;

import io.duet.presentation.auth.Revocations;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.token.TokenClaims;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Ends an authenticated session when its token does: at the token's expiry with TOKEN_EXPIRED, or at
 * once with TOKEN_REVOKED when a revocation matches it. Either tells the client to refresh (or log in)
 * and connect again. Passes every frame on untouched.
 */
final class TokenLifetimeHandler extends ChannelInboundHandlerAdapter {
    private final TokenClaims claims;
    private final Clock clock;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> expiry;

    TokenLifetimeHandler(TokenClaims claims, Clock clock) {
        this.claims = claims;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long delay = Math.max(0, claims.getExpiresAtMillis() - clock.millis());
        expiry = ctx.executor().schedule(() -> SessionErrors.closeWith(ctx.channel(), SessionErrorCode.TOKEN_EXPIRED,
                "the access token expired: refresh the session and connect again"), delay, TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        expiry.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        expiry.cancel(false);
        super.channelInactive(ctx);
    }

    /** Closes the session, on its event loop, if {@code revocation} matches its token. */
    void revokeIf(Revocation revocation) {
        if (ctx != null && Revocations.matches(revocation, claims)) {
            ctx.executor().execute(() -> SessionErrors.closeWith(ctx.channel(), SessionErrorCode.TOKEN_REVOKED,
                    "the session was logged out: log in again"));
        }
    }
}
