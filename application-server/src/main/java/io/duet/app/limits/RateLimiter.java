package io.duet.app.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Token buckets (Bucket4j) per {@link Limit} and key. Each limit keeps its buckets in a bounded cache
 * (Caffeine): a bucket untouched for its rate's period is full again and is dropped, and beyond
 * {@link RateLimits#maxTrackedKeys()} the least recently used are dropped, so memory stays bounded
 * whatever the number of addresses or users. Thread-safe and non-blocking.
 */
public final class RateLimiter {
    private final Map<Limit, Cache<Object, Bucket>> buckets = new EnumMap<>(Limit.class);
    private final Map<Limit, LongAdder> refusals = new EnumMap<>(Limit.class);
    private final RateLimits limits;
    private final TimeMeter time;

    public RateLimiter(RateLimits limits) {
        this(limits, TimeMeter.SYSTEM_NANOTIME);
    }

    /** @param time the clock of buckets and of their expiry; a fake one in tests */
    public RateLimiter(RateLimits limits, TimeMeter time) {
        this.limits = limits;
        this.time = time;
        for (Limit limit : Limit.values()) {
            buckets.put(limit, Caffeine.newBuilder()
                    .maximumSize(limits.maxTrackedKeys())
                    .expireAfterAccess(limits.rate(limit).period())
                    .ticker(time::currentTimeNanos)
                    // Evictions run on the calling thread, right away, not on the common pool.
                    .executor(Runnable::run)
                    .build());
            refusals.put(limit, new LongAdder());
        }
    }

    /**
     * Takes one token of {@code limit} for {@code key}. A null or empty key (an address the
     * presentation server did not send) and an exempt address are not limited.
     *
     * @return null if allowed, else the {@code RATE_LIMITED} error to answer with
     */
    public DuetError refusal(Limit limit, Object key) {
        return refusal(limit, key, 1);
    }

    /**
     * Takes {@code tokens} tokens (at least 1, at most the limit's capacity) of {@code limit} for {@code key}
     * at once, for a call that counts as that many; otherwise as {@link #refusal(Limit, Object)}.
     */
    public DuetError refusal(Limit limit, Object key, int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 1)");
        }
        if (key == null || "".equals(key) || limit.perAddress() && isExempt(key)) {
            return null;
        }
        Bucket bucket = buckets.get(limit).get(key, ignored -> newBucket(limits.rate(limit)));
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(Math.min(tokens, limits.rate(limit).tokens()));
        if (probe.isConsumed()) {
            return null;
        }
        refusals.get(limit).increment();
        long retryAfter = Math.max(1, TimeUnit.NANOSECONDS.toMillis(probe.getNanosToWaitForRefill() + 999_999));
        return ApiErrors.of(ErrorCode.RATE_LIMITED, "too many " + limit.counted() + "; retry in "
                + retryAfter + " ms").setRetryAfterMillis((int) Math.min(Integer.MAX_VALUE, retryAfter));
    }

    private boolean isExempt(Object addressKey) {
        return !limits.exemptAddresses().isEmpty()
                && limits.exemptAddresses().contains(SourceAddress.addressOf(String.valueOf(addressKey)));
    }

    /** Takes a token of each limit in turn; the first refusal stops (tokens already taken stay taken). */
    public DuetError refusal(Limit first, Object firstKey, Limit second, Object secondKey) {
        DuetError refused = refusal(first, firstKey);
        return refused != null ? refused : refusal(second, secondKey);
    }

    public DuetError refusal(Limit first, Object firstKey, Limit second, Object secondKey, Limit third,
            Object thirdKey) {
        DuetError refused = refusal(first, firstKey, second, secondKey);
        return refused != null ? refused : refusal(third, thirdKey);
    }

    /** Calls refused by {@code limit} since start. */
    public long refusals(Limit limit) {
        return refusals.get(limit).sum();
    }

    /** Keys {@code limit} tracks now (approximately). */
    public long trackedKeys(Limit limit) {
        Cache<Object, Bucket> cache = buckets.get(limit);
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private Bucket newBucket(Rate rate) {
        return Bucket.builder()
                .addLimit(bandwidth -> bandwidth.capacity(rate.tokens()).refillGreedy(rate.tokens(), rate.period()))
                .withCustomTimePrecision(time)
                .build();
    }
}
