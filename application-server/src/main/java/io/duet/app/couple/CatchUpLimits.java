package io.duet.app.couple;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on catching sessions up from HBase, so that a mass reconnect cannot overload it; {@link
 * #builder()} starts from the defaults. See {@link CatchUpReads}.
 */
public final class CatchUpLimits {
    public static final int DEFAULT_PAGE_MESSAGES = 500;
    public static final int DEFAULT_PAGE_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_READS = 16;
    public static final int DEFAULT_MAX_WAITING_READS = 4096;
    public static final Duration DEFAULT_READ_WAIT = Duration.ofSeconds(30);

    /** Most messages in one page read from HBase. */
    final int pageMessages;
    /** The encoded size a page aims at: the next page's count follows the mean size of the last page's messages. */
    final int pageBytes;
    /** Most catch-up reads in flight on this server, all couples together (a couple has at most one). */
    final int maxReads;
    /** Most catch-up reads waiting for their turn, first come first served; more fail at once. */
    final int maxWaitingReads;
    /** Longest wait for a turn; the session is then told to resubscribe. */
    final Duration readWait;

    private CatchUpLimits(Builder builder) {
        this.pageMessages = positive("pageMessages", builder.pageMessages);
        this.pageBytes = positive("pageBytes", builder.pageBytes);
        this.maxReads = positive("maxReads", builder.maxReads);
        this.maxWaitingReads = positive("maxWaitingReads", builder.maxWaitingReads);
        this.readWait = Objects.requireNonNull(builder.readWait, "readWait");
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    public static CatchUpLimits defaults() {
        return builder().build();
    }

    /** The limits {@code settings} set ({@code couples.catch-up.*}), else the defaults. */
    public static CatchUpLimits from(Settings settings) {
        return builder()
                .pageMessages(settings.integer("couples.catch-up.page-messages", DEFAULT_PAGE_MESSAGES))
                .pageBytes(settings.integer("couples.catch-up.page-bytes", DEFAULT_PAGE_BYTES))
                .maxReads(settings.integer("couples.catch-up.max-reads", DEFAULT_MAX_READS))
                .maxWaitingReads(settings.integer("couples.catch-up.max-waiting-reads", DEFAULT_MAX_WAITING_READS))
                .readWait(settings.duration("couples.catch-up.read-wait", DEFAULT_READ_WAIT))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private int pageMessages = DEFAULT_PAGE_MESSAGES;
        private int pageBytes = DEFAULT_PAGE_BYTES;
        private int maxReads = DEFAULT_MAX_READS;
        private int maxWaitingReads = DEFAULT_MAX_WAITING_READS;
        private Duration readWait = DEFAULT_READ_WAIT;

        private Builder() {
        }

        public Builder pageMessages(int pageMessages) {
            this.pageMessages = pageMessages;
            return this;
        }

        public Builder pageBytes(int pageBytes) {
            this.pageBytes = pageBytes;
            return this;
        }

        public Builder maxReads(int maxReads) {
            this.maxReads = maxReads;
            return this;
        }

        public Builder maxWaitingReads(int maxWaitingReads) {
            this.maxWaitingReads = maxWaitingReads;
            return this;
        }

        public Builder readWait(Duration readWait) {
            this.readWait = readWait;
            return this;
        }

        public CatchUpLimits build() {
            return new CatchUpLimits(this);
        }
    }
}
