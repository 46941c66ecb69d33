package io.duet.app.api;

import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.SpaceCall;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.async.AsyncMethodCallback;

/** Runs a memo or calendar call of the caller on its couple's actor: the services' common path. */
final class SpaceCalls {
    private final CallContext context;
    private final CoupleRegistry couples;

    SpaceCalls(CallContext context, CoupleRegistry couples) {
        this.context = context;
        this.couples = couples;
    }

    long userId() {
        return context.caller().userId();
    }

    <T> void run(SpaceCall<T> call, AsyncMethodCallback<T> callback) {
        CompletableFuture<T> result;
        try {
            result = couples.actorFor(context.caller().coupleId()).space(userId(), call);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        Callbacks.complete(result, callback);
    }
}
