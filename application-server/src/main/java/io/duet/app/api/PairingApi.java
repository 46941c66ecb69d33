package io.duet.app.api;

import io.duet.app.account.Accounts;
import io.duet.app.pairing.Pairings;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.Session;
import org.apache.thrift.async.AsyncMethodCallback;

/** {@code PairingService} for one call. */
final class PairingApi implements PairingService.AsyncIface {
    private final CallContext context;
    private final Pairings pairings;
    private final Accounts accounts;

    PairingApi(CallContext context, Pairings pairings, Accounts accounts) {
        this.context = context;
        this.pairings = pairings;
        this.accounts = accounts;
    }

    @Override
    public void createInvite(CreateInviteRequest request, AsyncMethodCallback<Invite> callback) {
        Callbacks.complete(pairings.createInvite(context.caller().userId()), callback);
    }

    @Override
    public void acceptInvite(AcceptInviteRequest request, AsyncMethodCallback<Session> callback) {
        long userId = context.caller().userId();
        Callbacks.complete(pairings.accept(userId, request.getCode())
                .thenCompose(couple -> accounts.refresh(context.caller(), null)), callback);
    }
}
