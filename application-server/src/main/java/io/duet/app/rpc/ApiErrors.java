package io.duet.app.rpc;

import io.duet.app.couple.NotOwnerException;
import io.duet.app.storage.CoupleClosedException;
import io.duet.app.storage.CoupleNotFoundException;
import io.duet.app.storage.FencedException;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become the client's {@link DuetError}: every service reports errors
 * through these factories, and {@link #toWire(Throwable)} turns anything else (fencing, HBase
 * unavailability, bugs) into a code the client can act on.
 */
public final class ApiErrors {
    private static final Logger LOG = LoggerFactory.getLogger(ApiErrors.class);
    /** How long a client should wait before retrying after UNAVAILABLE. */
    static final int RETRY_AFTER_MILLIS = 250;
    /**
     * After a couple moved: its new owner usually serves it within tens of milliseconds, and the client is
     * told of the move separately (its session is routed again), so a quick retry is cheap.
     */
    static final int MOVED_RETRY_AFTER_MILLIS = 50;
    /** After BUSY: long enough for a couple's queue to drain a good part of its work. */
    static final int BUSY_RETRY_AFTER_MILLIS = 500;

    private ApiErrors() {
    }

    public static DuetError of(ErrorCode code, String message) {
        return new DuetError(code).setMessage(message);
    }

    public static DuetError invalidArgument(String message) {
        return of(ErrorCode.INVALID_ARGUMENT, message);
    }

    /** The couple's queue is full: the call was not started. */
    public static DuetError busy(String message) {
        return of(ErrorCode.BUSY, message).setRetryAfterMillis(BUSY_RETRY_AFTER_MILLIS);
    }

    public static DuetError unavailable(String message) {
        return of(ErrorCode.UNAVAILABLE, message).setRetryAfterMillis(RETRY_AFTER_MILLIS);
    }

    /** What the client is told about {@code failure}. Unexpected failures are logged here, once. */
    public static DuetError toWire(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof DuetError) {
            return (DuetError) cause;
        }
        if (cause instanceof NotOwnerException || cause instanceof FencedException) {
            return unavailable("the couple is moving between servers; retry").setRetryAfterMillis(MOVED_RETRY_AFTER_MILLIS);
        }
        if (cause instanceof CoupleClosedException) {
            return of(ErrorCode.NOT_PAIRED, "the couple was closed (unpaired, or an account deleted): refresh the "
                    + "session, which has no couple now");
        }
        if (cause instanceof CoupleNotFoundException) {
            return of(ErrorCode.NOT_FOUND, "no such couple");
        }
        if (cause instanceof RejectedExecutionException) {
            return of(ErrorCode.RESOURCE_EXHAUSTED, "the server is overloaded; retry later").setRetryAfterMillis(1000);
        }
        if (cause instanceof java.io.IOException || cause instanceof TimeoutException) {
            LOG.warn("Storage unavailable: {}", cause.toString());
            return unavailable("storage is unavailable; retry with the same ids");
        }
        LOG.error("Unexpected failure", cause);
        return of(ErrorCode.INTERNAL, "internal error");
    }

    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
