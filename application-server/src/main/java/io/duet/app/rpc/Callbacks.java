package io.duet.app.rpc;

import java.util.concurrent.CompletionStage;
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
}
