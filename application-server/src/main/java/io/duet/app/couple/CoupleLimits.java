package io.duet.app.couple;

import io.duet.settings.Settings;
import io.duet.app.space.SpaceLimits;
import java.time.Duration;
import java.util.Objects;

/** Sizes and timeouts of in-memory couples; {@link #builder()} starts from the defaults. */
public final class CoupleLimits {
    /** Longest message text, in characters. */
    public static final int MAX_TEXT_CHARS = 4000;
    /** Longest client message id, in characters. */
    public static final int MAX_CLIENT_MESSAGE_ID_CHARS = 128;
    /** Longest order stream name ({@code SendMessageRequest.orderStream}), in characters. */
    public static final int MAX_ORDER_STREAM_CHARS = 64;
    /** Largest history page. */
    public static final int MAX_PAGE = 500;
    /** Newest messages an unread count looks at; a read mark further back gets a capped count. */
    public static final int MAX_UNREAD_COUNTED = 1000;

    public static final int DEFAULT_RECENT_MESSAGES = 256;
    /**
     * Twice the recent messages: a retry is of a send not yet acknowledged, which is among the newest; an id
     * remembered costs ~180 bytes of heap (the map entry, the key and the id's string), so 4,096 of them, the
     * default before, held ~720 KiB for every loaded couple that had sent that many.
     */
    public static final int DEFAULT_DEDUP_IDS = 512;
    public static final int DEFAULT_MAX_BATCH = 128;
    public static final int DEFAULT_MAX_QUEUED = 4096;
    public static final int DEFAULT_MAX_HELD = 256;
    public static final int DEFAULT_MAX_QUEUED_TASKS = 1024;
    /** Newest changes (edits and deletes) kept per couple for replay: about 8 KB of the couple row. */
    public static final int DEFAULT_KEEP_CHANGES = 1024;
    public static final Duration DEFAULT_ORDER_WAIT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_TYPING_TIMEOUT = Duration.ofSeconds(8);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Two HBase operation timeouts ({@code hbase.operation-timeout}, 15 s): a claim is two round trips. */
    public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RETIRE_TIMEOUT = Duration.ofSeconds(30);

    /** Newest messages kept in memory per couple. */
    final int recentMessages;
    /** Client message ids remembered in memory per couple (older ones are looked up in HBase). */
    final int dedupIds;
    /** Most messages in one group commit. */
    final int maxBatch;
    /** Most sends waiting to be stored per couple; more get BUSY. */
    final int maxQueued;
    /** Most sends held for an earlier message of their order stream, per couple. */
    final int maxHeld;
    /**
     * Most calls (and other work from outside) waiting on a couple's executor; more get BUSY. Every call
     * of the couple's sessions passes there, so this bounds the memory a flood of calls can take.
     */
    final int maxQueuedTasks;
    /**
     * Newest changes (edits and deletes of messages) kept in the couple's change log, for a device that was
     * away to be sent those it missed ({@link ChangeLog}); one that missed more refetches its history.
     */
    final int keepChanges;
    /** How long a send is held for an earlier message of its order stream before it fails. */
    final Duration orderWait;
    final Duration typingTimeout;
    final Duration idleTimeout;
    /**
     * How long a couple may take to load (its claim, until it takes calls) before the load is given up:
     * the calls waiting for it are refused with a retry, and the next call loads it again.
     */
    final Duration loadTimeout;
    /**
     * How long a closed couple may wait for its HBase calls under way before it leaves the registry anyway
     * ({@link Retirement}); until it leaves, its calls are told to retry.
     */
    final Duration retireTimeout;
    /** Memos, events and space calls per couple. */
    final SpaceLimits space;

    private CoupleLimits(Builder builder) {
        this.recentMessages = positive("recentMessages", builder.recentMessages);
        this.dedupIds = positive("dedupIds", builder.dedupIds);
        this.maxBatch = positive("maxBatch", builder.maxBatch);
        this.maxQueued = positive("maxQueued", builder.maxQueued);
        this.maxHeld = positive("maxHeld", builder.maxHeld);
        this.maxQueuedTasks = positive("maxQueuedTasks", builder.maxQueuedTasks);
        this.keepChanges = positive("keepChanges", builder.keepChanges);
        this.orderWait = Objects.requireNonNull(builder.orderWait, "orderWait");
        this.typingTimeout = Objects.requireNonNull(builder.typingTimeout, "typingTimeout");
        this.idleTimeout = Objects.requireNonNull(builder.idleTimeout, "idleTimeout");
        this.loadTimeout = positive("loadTimeout", builder.loadTimeout);
        this.retireTimeout = positive("retireTimeout", builder.retireTimeout);
        this.space = Objects.requireNonNull(builder.space, "space");
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
        return value;
    }

    public static CoupleLimits defaults() {
        return builder().build();
    }

    /** The limits {@code settings} set ({@code couples.*}, and {@code space.*} for the couple's space), else the defaults. */
    public static CoupleLimits from(Settings settings) {
        return builder()
                .recentMessages(settings.integer("couples.recent-messages", DEFAULT_RECENT_MESSAGES))
                .dedupIds(settings.integer("couples.dedup-ids", DEFAULT_DEDUP_IDS))
                .maxQueued(settings.integer("couples.max-queued-sends", DEFAULT_MAX_QUEUED))
                .maxHeld(settings.integer("couples.max-held-sends", DEFAULT_MAX_HELD))
                .maxQueuedTasks(settings.integer("couples.max-queued-tasks", DEFAULT_MAX_QUEUED_TASKS))
                .maxBatch(settings.integer("couples.max-batch", DEFAULT_MAX_BATCH))
                .keepChanges(settings.integer("couples.changes.keep", DEFAULT_KEEP_CHANGES))
                .orderWait(settings.duration("couples.order-wait", DEFAULT_ORDER_WAIT))
                .typingTimeout(settings.duration("couples.typing-timeout", DEFAULT_TYPING_TIMEOUT))
                .idleTimeout(settings.duration("couples.idle-timeout", DEFAULT_IDLE_TIMEOUT))
                .loadTimeout(settings.duration("couples.load-timeout", DEFAULT_LOAD_TIMEOUT))
                .retireTimeout(settings.duration("couples.retire-timeout", DEFAULT_RETIRE_TIMEOUT))
                .space(SpaceLimits.from(settings))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private int recentMessages = DEFAULT_RECENT_MESSAGES;
        private int dedupIds = DEFAULT_DEDUP_IDS;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private int maxQueued = DEFAULT_MAX_QUEUED;
        private int maxHeld = DEFAULT_MAX_HELD;
        private int maxQueuedTasks = DEFAULT_MAX_QUEUED_TASKS;
        private int keepChanges = DEFAULT_KEEP_CHANGES;
        private Duration orderWait = DEFAULT_ORDER_WAIT;
        private Duration typingTimeout = DEFAULT_TYPING_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration loadTimeout = DEFAULT_LOAD_TIMEOUT;
        private Duration retireTimeout = DEFAULT_RETIRE_TIMEOUT;
        private SpaceLimits space = SpaceLimits.defaults();

        private Builder() {
        }

        public Builder recentMessages(int recentMessages) {
            this.recentMessages = recentMessages;
            return this;
        }

        public Builder dedupIds(int dedupIds) {
            this.dedupIds = dedupIds;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxQueued(int maxQueued) {
            this.maxQueued = maxQueued;
            return this;
        }

        public Builder maxHeld(int maxHeld) {
            this.maxHeld = maxHeld;
            return this;
        }

        public Builder maxQueuedTasks(int maxQueuedTasks) {
            this.maxQueuedTasks = maxQueuedTasks;
            return this;
        }

        public Builder keepChanges(int keepChanges) {
            this.keepChanges = keepChanges;
            return this;
        }

        public Builder orderWait(Duration orderWait) {
            this.orderWait = orderWait;
            return this;
        }

        public Builder typingTimeout(Duration typingTimeout) {
            this.typingTimeout = typingTimeout;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public Builder loadTimeout(Duration loadTimeout) {
            this.loadTimeout = loadTimeout;
            return this;
        }

        public Builder retireTimeout(Duration retireTimeout) {
            this.retireTimeout = retireTimeout;
            return this;
        }

        public Builder space(SpaceLimits space) {
            this.space = space;
            return this;
        }

        public CoupleLimits build() {
            return new CoupleLimits(this);
        }
    }
}
