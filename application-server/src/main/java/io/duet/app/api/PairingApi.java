package io.duet.app.api;

import io.duet.app.account.Accounts;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.pairing.Pairings;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.Session;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code PairingService} for one call. Invites created are limited per user; codes tried, per user and
 * per source address, which is what makes guessing a live code impractical (see the README). The
 * caller's token must agree with the stored account ({@link Accounts#vouch}) before anything is paired.
 */
final class PairingApi implements PairingService.AsyncIface {
    private final CallContext context;
    private final Pairings pairings;
    private final Accounts accounts;
    private final RateLimiter limiter;

    PairingApi(CallContext context, Pairings pairings, Accounts accounts, RateLimiter limiter) {
        this.context = context;
        this.pairings = pairings;
        this.accounts = accounts;
        this.limiter = limiter;
    }

    @Override
    public void createInvite(CreateInviteRequest request, AsyncMethodCallback<Invite> callback) {
        DuetError refused = limiter.refusal(Limit.CREATE_INVITE_PER_USER, context.caller().userId());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.vouch(context.caller())
                .thenCompose(ignored -> pairings.createInvite(context.caller().userId())), callback);
    }

    @Override
    public void acceptInvite(AcceptInviteRequest request, AsyncMethodCallback<Session> callback) {
        long userId = context.caller().userId();
        DuetError refused = limiter.refusal(Limit.ACCEPT_INVITE_PER_ADDRESS, context.caller().sourceAddress(),
                Limit.ACCEPT_INVITE_PER_USER, userId);
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.vouch(context.caller())
                .thenCompose(ignored -> pairings.accept(userId, request.getCode()))
                .thenCompose(couple -> accounts.refresh(context.caller(), null)), callback);
    }
}
