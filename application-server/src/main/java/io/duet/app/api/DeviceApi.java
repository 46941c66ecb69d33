package io.duet.app.api;

import io.duet.app.account.Accounts;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.push.Pushes;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.DeviceService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.RegisterPushTokenResult;
import io.duet.protocol.api.UnregisterPushTokenRequest;
import io.duet.protocol.api.UnregisterPushTokenResult;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code DeviceService} for one call of a signed-in user (paired or not): the calling device's push token,
 * kept by {@link Pushes}. Both calls are rate limited per device by {@code push-token.per-device}, and the
 * caller's token must agree with the stored account ({@link Accounts#vouch}) before anything is written.
 */
final class DeviceApi implements DeviceService.AsyncIface {
    private final CallContext context;
    private final Accounts accounts;
    private final Pushes pushes;
    private final RateLimiter limiter;

    DeviceApi(CallContext context, Accounts accounts, Pushes pushes, RateLimiter limiter) {
        this.context = context;
        this.accounts = accounts;
        this.pushes = pushes;
        this.limiter = limiter;
    }

    /** Whether the device's limit refuses the call; the refusal then went to the callback. */
    private boolean refused(AsyncMethodCallback<?> callback) {
        DuetError refusal = limiter.refusal(Limit.PUSH_TOKEN_PER_DEVICE,
                context.caller().userId() + "/" + context.caller().deviceId());
        if (refusal != null) {
            callback.onError(refusal);
            return true;
        }
        return false;
    }

    @Override
    public void registerPushToken(RegisterPushTokenRequest request,
            AsyncMethodCallback<RegisterPushTokenResult> callback) {
        if (!refused(callback)) {
            Callbacks.complete(accounts.vouch(context.caller())
                    .thenCompose(vouched -> pushes.register(context.caller().userId(), context.caller().deviceId(),
                            request.getPlatform(), request.getToken()))
                    .thenApply(done -> new RegisterPushTokenResult()), callback);
        }
    }

    @Override
    public void unregisterPushToken(UnregisterPushTokenRequest request,
            AsyncMethodCallback<UnregisterPushTokenResult> callback) {
        if (!refused(callback)) {
            Callbacks.complete(accounts.vouch(context.caller())
                    .thenCompose(vouched -> pushes.unregister(context.caller().userId(), context.caller().deviceId()))
                    .thenApply(done -> new UnregisterPushTokenResult()), callback);
        }
    }
}
