package io.duet.app.couple;

import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The long polls parked on this server ({@code ChatService.subscribe} over HTTP, and {@code
 * FeedService.pollEvents} over either transport), across couples: at most {@code maxParked} in all (more get
 * BUSY) and {@code maxPerUser} per user (more get RATE_LIMITED), each for at most {@code maxWait}. A parked
 * poll holds no thread: a future, a timer, a list entry in its couple's actor ({@link ParkedPolls}). Also the
 * bounds of the event feed ({@link EventFeed}): {@code maxEvents} per poll, {@code ringEvents} kept per
 * loaded couple. Thread-safe.
 */
public final class LongPolls {
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(25);
    public static final int DEFAULT_MAX_PARKED = 10_000;
    public static final int DEFAULT_MAX_PER_USER = 4;
    /** Messages in one long poll's reply at most (a history page); {@code hasMore} says when more wait. */
    public static final int PAGE = 100;
    /** Events in one {@code pollEvents} reply at most. */
    public static final int DEFAULT_MAX_EVENTS = 100;
    /** Recent events each loaded couple keeps for {@code pollEvents} ({@link EventRing}). */
    public static final int DEFAULT_RING_EVENTS = 256;

    private final Duration maxWait;
    private final int maxParked;
    private final int maxPerUser;
    private final int maxEvents;
    private final int ringEvents;
    private final AtomicInteger parked = new AtomicInteger();
    private final ConcurrentMap<Long, Integer> perUser = new ConcurrentHashMap<>();

    private LongPolls(Builder builder) {
        this.maxWait = Objects.requireNonNull(builder.maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait: " + maxWait + " (expected: >= 0)");
        }
        this.maxParked = positive("maxParked", builder.maxParked);
        this.maxPerUser = positive("maxPerUser", builder.maxPerUser);
        this.maxEvents = positive("maxEvents", builder.maxEvents);
        this.ringEvents = positive("ringEvents", builder.ringEvents);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    public static LongPolls defaults() {
        return builder().build();
    }

    /** The bounds {@code settings} set ({@code couples.long-polls.*}, {@code couples.feed.*}), else the defaults. */
    public static LongPolls from(Settings settings) {
        return builder()
                .maxWait(settings.duration("couples.long-polls.max-wait", DEFAULT_MAX_WAIT))
                .maxParked(settings.integer("couples.long-polls.max-parked", DEFAULT_MAX_PARKED))
                .maxPerUser(settings.integer("couples.long-polls.max-per-user", DEFAULT_MAX_PER_USER))
                .maxEvents(settings.integer("couples.feed.max-events", DEFAULT_MAX_EVENTS))
                .ringEvents(settings.integer("couples.feed.ring-events", DEFAULT_RING_EVENTS))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How long a poll may wait: what the client asks ({@code waitMillis}), at most {@code maxWait}; 0 if none. */
    public long waitFor(int askedMillis) {
        return Math.max(0, Math.min(askedMillis, maxWait.toMillis()));
    }

    /** Events in one {@code pollEvents} reply: what the client asks (null: no limit), at most {@code maxEvents}. */
    public int eventsFor(Integer asked) {
        return asked == null ? maxEvents : Math.max(1, Math.min(asked, maxEvents));
    }

    /** Recent events each loaded couple keeps for {@code pollEvents}. */
    int ringEvents() {
        return ringEvents;
    }

    /** Parks one poll of {@code userId}: null if admitted (then {@link #release} it once), else why not. */
    DuetError admit(long userId) {
        if (parked.incrementAndGet() > maxParked) {
            parked.decrementAndGet();
            return ApiErrors.busy("this server has " + maxParked + " long polls waiting; retry shortly");
        }
        boolean[] admitted = {false};
        perUser.compute(userId, (user, count) -> {
            int now = count == null ? 0 : count;
            admitted[0] = now < maxPerUser;
            return admitted[0] ? now + 1 : count;
        });
        if (!admitted[0]) {
            parked.decrementAndGet();
            return ApiErrors.of(ErrorCode.RATE_LIMITED, "at most " + maxPerUser
                    + " long polls per user at a time: wait for one to return").setRetryAfterMillis(1000);
        }
        return null;
    }

    /** A poll admitted by {@link #admit} returned. */
    void release(long userId) {
        perUser.computeIfPresent(userId, (user, count) -> count <= 1 ? null : count - 1);
        parked.decrementAndGet();
    }

    /** Polls parked now, on every couple. */
    public int parked() {
        return parked.get();
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int maxParked = DEFAULT_MAX_PARKED;
        private int maxPerUser = DEFAULT_MAX_PER_USER;
        private int maxEvents = DEFAULT_MAX_EVENTS;
        private int ringEvents = DEFAULT_RING_EVENTS;

        private Builder() {
        }

        public Builder maxWait(Duration value) {
            this.maxWait = value;
            return this;
        }

        public Builder maxParked(int value) {
            this.maxParked = value;
            return this;
        }

        public Builder maxPerUser(int value) {
            this.maxPerUser = value;
            return this;
        }

        public Builder maxEvents(int value) {
            this.maxEvents = value;
            return this;
        }

        public Builder ringEvents(int value) {
            this.ringEvents = value;
            return this;
        }

        public LongPolls build() {
            return new LongPolls(this);
        }
    }
}
