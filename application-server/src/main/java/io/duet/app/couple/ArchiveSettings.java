package io.duet.app.couple;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * How the owners move old messages out of their couple rows ({@link ArchiveMoves}); {@link #builder()}
 * starts from the defaults. The bucket size is the store's ({@code CoupleStoreSettings.archiveBucketSize}).
 */
public final class ArchiveSettings {
    /** Whether moves run at all, unless set. */
    public static final boolean DEFAULT_ENABLED = true;
    /** The newest messages a couple row keeps, unless set: a bucket moves once all of it is older. */
    public static final int DEFAULT_KEEP_RECENT = 1024;
    /** Bucket moves started per tick, all couples of the server together, unless set. */
    public static final int DEFAULT_MOVES_PER_TICK = 4;
    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    /** Couples waiting for a move, unless set; more are dropped and ask again at their next commit. */
    public static final int DEFAULT_MAX_WAITING = 10_000;

    final boolean enabled;
    final int keepRecent;
    final int movesPerTick;
    final Duration tick;
    final int maxWaiting;

    private ArchiveSettings(Builder builder) {
        this.enabled = builder.enabled;
        this.keepRecent = atLeast("keepRecent", builder.keepRecent, 0);
        this.movesPerTick = atLeast("movesPerTick", builder.movesPerTick, 1);
        this.tick = Objects.requireNonNull(builder.tick, "tick");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick: " + tick + " (expected: > 0)");
        }
        this.maxWaiting = atLeast("maxWaiting", builder.maxWaiting, 1);
    }

    private static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
        return value;
    }

    public static ArchiveSettings defaults() {
        return builder().build();
    }

    /** No moves: couple rows keep every message (tests of other parts, warm-up couples). */
    public static ArchiveSettings disabled() {
        return builder().enabled(false).build();
    }

    /** The settings {@code settings} set ({@code couples.archive.*}), else the defaults. */
    public static ArchiveSettings from(Settings settings) {
        return builder()
                .enabled(settings.bool("couples.archive.enabled", DEFAULT_ENABLED))
                .keepRecent(settings.integer("couples.archive.keep-recent", DEFAULT_KEEP_RECENT))
                .movesPerTick(settings.integer("couples.archive.moves-per-tick", DEFAULT_MOVES_PER_TICK))
                .tick(settings.duration("couples.archive.tick", DEFAULT_TICK))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private boolean enabled = DEFAULT_ENABLED;
        private int keepRecent = DEFAULT_KEEP_RECENT;
        private int movesPerTick = DEFAULT_MOVES_PER_TICK;
        private Duration tick = DEFAULT_TICK;
        private int maxWaiting = DEFAULT_MAX_WAITING;

        private Builder() {
        }

        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder keepRecent(int keepRecent) {
            this.keepRecent = keepRecent;
            return this;
        }

        public Builder movesPerTick(int movesPerTick) {
            this.movesPerTick = movesPerTick;
            return this;
        }

        public Builder tick(Duration tick) {
            this.tick = tick;
            return this;
        }

        public Builder maxWaiting(int maxWaiting) {
            this.maxWaiting = maxWaiting;
            return this;
        }

        public ArchiveSettings build() {
            return new ArchiveSettings(this);
        }
    }
}
