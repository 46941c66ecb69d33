package io.duet.client;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponseInterceptor;
import org.apache.thrift.transport.TTransportException;

/**
 * The {@code Retry-After} of a 429 or 503 answer to an HTTP call, which Thrift's {@code THttpClient} drops
 * (it only says "HTTP Response code: 429"): {@link #INTERCEPTOR}, on the call's HTTP client, notes it for the
 * calling thread (the classic client runs interceptors there), and {@link #refusal} turns the call's failure
 * into an {@link HttpRefusedException} carrying it.
 */
final class RetryAfterHeader {
    /** The status and Retry-After (ms, -1 without one) of the calling thread's last refusal; null if none. */
    private static final ThreadLocal<long[]> LAST = new ThreadLocal<>();

    static final HttpResponseInterceptor INTERCEPTOR = (response, entity, context) -> {
        if (response.getCode() == 429 || response.getCode() == 503) {
            Header header = response.getFirstHeader("Retry-After");
            LAST.set(new long[] {response.getCode(), header == null ? -1 : millis(header.getValue(), Clock.systemUTC())});
        }
    };

    private RetryAfterHeader() {
    }

    /** Forgets the calling thread's last refusal: before a call. */
    static void clear() {
        LAST.remove();
    }

    /** {@code failure} as an {@link HttpRefusedException} if the calling thread's call was refused, else itself. */
    static TTransportException refusal(TTransportException failure) {
        long[] last = LAST.get();
        LAST.remove();
        return last == null ? failure : new HttpRefusedException((int) last[0], last[1], failure);
    }

    /** A {@code Retry-After} value (delta-seconds or an HTTP-date) in milliseconds from now; -1 if unreadable. */
    static long millis(String value, Clock clock) {
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? -1 : Math.multiplyExact(seconds, 1000L);
        } catch (NumberFormatException | ArithmeticException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(clock.instant(), at.toInstant()).toMillis());
            } catch (DateTimeParseException notADate) {
                return -1;
            }
        }
    }
}
