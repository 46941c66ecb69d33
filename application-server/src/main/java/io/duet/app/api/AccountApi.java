package io.duet.app.api;

import io.duet.app.account.AccountDeletion;
import io.duet.app.account.Accounts;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.push.Pushes;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Caller;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.DeleteAccountRequest;
import io.duet.protocol.api.DeleteAccountResult;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.LogOutEverywhereRequest;
import io.duet.protocol.api.LogOutRequest;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code AccountService} for one call. Sign-ups and log-ins are rate limited per source address here,
 * before any work; the per-account limit on password guesses is cluster-wide, so {@link Accounts} asks
 * it (in HBase) before each password check. Account deletions, which check the password, are limited per
 * user.
 */
final class AccountApi implements AccountService.AsyncIface {
    private final CallContext context;
    private final Accounts accounts;
    private final AccountDeletion deletion;
    private final Pushes pushes;
    private final RateLimiter limiter;

    AccountApi(CallContext context, Accounts accounts, AccountDeletion deletion, Pushes pushes, RateLimiter limiter) {
        this.context = context;
        this.accounts = accounts;
        this.deletion = deletion;
        this.pushes = pushes;
        this.limiter = limiter;
    }

    @Override
    public void signUp(SignUpRequest request, AsyncMethodCallback<Session> callback) {
        DuetError refused = limiter.refusal(Limit.SIGN_UP_PER_ADDRESS, context.caller().sourceAddress());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.signUp(request), callback);
    }

    @Override
    public void logIn(LogInRequest request, AsyncMethodCallback<Session> callback) {
        DuetError refused = limiter.refusal(Limit.LOG_IN_PER_ADDRESS, context.caller().sourceAddress());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.logIn(request), callback);
    }

    @Override
    public void refreshSession(RefreshSessionRequest request, AsyncMethodCallback<Session> callback) {
        Callbacks.complete(accounts.refresh(context.caller(), request.getRefreshToken()), callback);
    }

    @Override
    public void logOut(LogOutRequest request, AsyncMethodCallback<Void> callback) {
        Caller caller = context.caller();
        Callbacks.complete(accounts.logOut(caller)
                .thenCompose(ignored -> pushes.loggedOut(caller.userId(), caller.deviceId())), callback);
    }

    @Override
    public void logOutEverywhere(LogOutEverywhereRequest request, AsyncMethodCallback<Void> callback) {
        Caller caller = context.caller();
        Callbacks.complete(accounts.logOutEverywhere(caller)
                .thenCompose(ignored -> pushes.loggedOutEverywhere(caller.userId())), callback);
    }

    @Override
    public void deleteAccount(DeleteAccountRequest request, AsyncMethodCallback<DeleteAccountResult> callback) {
        DuetError refused = limiter.refusal(Limit.DELETE_ACCOUNT_PER_USER, context.caller().userId());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        CompletableFuture<Long> closed = deletion.delete(context.caller(), request.getPassword());
        Callbacks.complete(closed.thenApply(coupleId -> new DeleteAccountResult()), callback,
                result -> deletion.endSessions(closed.getNow(0L)));
    }
}
