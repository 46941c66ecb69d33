package io.duet.client.internal;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;

/**
 * Which refusals a server means for now only, and how long it asks the client to wait before asking
 * again: UNAVAILABLE (the couple is moving between servers, or storage is out of reach), BUSY,
 * RESOURCE_EXHAUSTED and RATE_LIMITED. Any other {@link DuetError} is final.
 */
final class ServerRefusals {
    private ServerRefusals() {
    }

    /** Whether {@code failure} is a server's refusal for now (see the class comment). */
    static boolean isForNow(Throwable failure) {
        if (!(failure instanceof DuetError)) {
            return false;
        }
        ErrorCode code = ((DuetError) failure).getCode();
        return code == ErrorCode.UNAVAILABLE || code == ErrorCode.RESOURCE_EXHAUSTED || code == ErrorCode.RATE_LIMITED
                || code == ErrorCode.BUSY;
    }

    /** The delay the server named with {@code failure}, else {@code otherwise}. */
    static long retryAfterMillis(Throwable failure, long otherwise) {
        return failure instanceof DuetError && ((DuetError) failure).isSetRetryAfterMillis()
                ? ((DuetError) failure).getRetryAfterMillis() : otherwise;
    }
}
