package io.duet.app.limits;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rate: at most {@code tokens} per {@code period}, refilled smoothly, with a burst of {@code tokens}.
 * Written in settings as {@code <tokens>/<duration>}, for example {@code 30/1m} or {@code 50/1s}.
 */
public final class Rate {
    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d+)\\s*/\\s*(\\d+)\\s*(ms|s|m|h|d)\\s*");

    private final long tokens;
    private final Duration period;

    private Rate(long tokens, Duration period) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 1)");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
        }
        this.tokens = tokens;
        this.period = period;
    }

    public static Rate of(long tokens, Duration period) {
        return new Rate(tokens, Objects.requireNonNull(period, "period"));
    }

    /** Parses {@code <tokens>/<duration>}, the duration in ms, s, m, h or d. */
    public static Rate parse(String text) {
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("rate '" + text + "': expected <tokens>/<duration>, like 30/1m");
        }
        long amount = Long.parseLong(matcher.group(2));
        Duration period;
        switch (matcher.group(3)) {
            case "ms":
                period = Duration.ofMillis(amount);
                break;
            case "s":
                period = Duration.ofSeconds(amount);
                break;
            case "m":
                period = Duration.ofMinutes(amount);
                break;
            case "h":
                period = Duration.ofHours(amount);
                break;
            default:
                period = Duration.ofDays(amount);
        }
        return of(Long.parseLong(matcher.group(1)), period);
    }

    /** The burst, and how many are added back per {@link #period()}. */
    public long tokens() {
        return tokens;
    }

    public Duration period() {
        return period;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Rate && ((Rate) other).tokens == tokens && ((Rate) other).period.equals(period);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tokens, period);
    }

    @Override
    public String toString() {
        return tokens + "/" + period;
    }
}
