package io.duet.app.push;

import java.util.concurrent.CompletableFuture;

/**
 * Sends pushes through one platform. Implementations never block the caller: the result completes when
 * the platform answered (or the send failed).
 */
public interface PushSender extends AutoCloseable {
    /** How a platform answered one push. */
    enum Result {
        /** Accepted by the platform. */
        DELIVERED,
        /** The platform says the token is no longer valid: it is to be dropped. */
        TOKEN_INVALID,
        /** Anything else (network, credentials, throttling): the push is lost, the token kept. */
        FAILED
    }

    CompletableFuture<Result> send(String token, PushContent content);

    @Override
    void close();
}
