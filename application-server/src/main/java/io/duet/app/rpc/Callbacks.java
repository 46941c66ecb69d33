package io.duet.app.rpc;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.thrift.async.AsyncMethodCallback;

/** Bridges service implementations written with futures to Thrift's callback-style {@code AsyncIface}. */
public final class Callbacks {
    private Callbacks() {
    }

    public static <T> void complete(CompletionStage<T> stage, AsyncMethodCallback<T> callback) {
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                callback.onComplete(value);
            } else {
                callback.onError(failure instanceof Exception ? (Exception) failure : new RuntimeException(failure));
            }
        });
    }

    /**
     * Like {@link #complete(CompletionStage, AsyncMethodCallback)}, then, on success, runs {@code afterReply}
     * with the value: after the reply was handed to the transport, so that what it does (ending the
     * caller's session, say) comes after the reply on the wire.
     */
    public static <T> void complete(CompletionStage<T> stage, AsyncMethodCallback<T> callback, Consumer<T> afterReply) {
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                callback.onComplete(value);
                afterReply.accept(value);
            } else {
                callback.onError(failure instanceof Exception ? (Exception) failure : new RuntimeException(failure));
            }
        });
    }
}
