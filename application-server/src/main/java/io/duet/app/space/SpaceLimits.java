package io.duet.app.space;

import io.duet.settings.Settings;

/**
 * How much of a couple's space one couple may keep, so that its row stays bounded (at the defaults, memos
 * take at most about 200 x 12 KiB of UTF-8), and its photo rows too (see {@link #DEFAULT_MAX_PHOTOS});
 * {@link #builder()} starts from the defaults.
 */
public final class SpaceLimits {
    /** Longest memo or event title, in characters. */
    public static final int MAX_TITLE_CHARS = 200;
    /** The largest memo the API allows; a server may allow less ({@link Builder#maxMemoChars}). */
    public static final int MAX_MEMO_CHARS = 4000;
    public static final int DEFAULT_MAX_MEMOS = 200;
    public static final int DEFAULT_MAX_EVENTS = 100;
    /**
     * Photos per couple. Their metadata no longer sits in the couple row (20,000, the old default, kept that
     * row near 5 MB), but in rows of their own that one region holds whole (the photos table splits only
     * between couples): at about 300 bytes a photo with its index row, 200,000 photos are about 60 MB of one
     * region, far under a region's split size, and a purge deletes them in one scan. Ten times a heavy
     * ten-year couple (20,000).
     */
    public static final int DEFAULT_MAX_PHOTOS = 200_000;
    /** Longest photo caption, in characters. */
    public static final int MAX_CAPTION_CHARS = 1000;
    /** Space calls waiting behind a write per couple; more get BUSY. */
    public static final int DEFAULT_MAX_QUEUED = 64;

    final int maxMemos;
    final int maxMemoChars;
    final int maxEvents;
    final int maxPhotos;
    final int maxQueued;

    private SpaceLimits(Builder builder) {
        this.maxMemos = positive("maxMemos", builder.maxMemos);
        this.maxMemoChars = positive("maxMemoChars", builder.maxMemoChars);
        if (maxMemoChars > MAX_MEMO_CHARS) {
            throw new IllegalArgumentException("maxMemoChars: " + maxMemoChars + " (expected: <= " + MAX_MEMO_CHARS + ")");
        }
        this.maxEvents = positive("maxEvents", builder.maxEvents);
        this.maxPhotos = positive("maxPhotos", builder.maxPhotos);
        this.maxQueued = positive("maxQueued", builder.maxQueued);
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    /** Most space calls waiting per couple. */
    public int maxQueued() {
        return maxQueued;
    }

    public static SpaceLimits defaults() {
        return builder().build();
    }

    /** The limits {@code settings} set ({@code space.*}), else the defaults. */
    public static SpaceLimits from(Settings settings) {
        return builder()
                .maxMemos(settings.integer("space.max-memos", DEFAULT_MAX_MEMOS))
                .maxMemoChars(settings.integer("space.max-memo-chars", MAX_MEMO_CHARS))
                .maxEvents(settings.integer("space.max-events", DEFAULT_MAX_EVENTS))
                .maxPhotos(settings.integer("space.max-photos", DEFAULT_MAX_PHOTOS))
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable limits. */
    public static final class Builder {
        private int maxMemos = DEFAULT_MAX_MEMOS;
        private int maxMemoChars = MAX_MEMO_CHARS;
        private int maxEvents = DEFAULT_MAX_EVENTS;
        private int maxPhotos = DEFAULT_MAX_PHOTOS;
        private int maxQueued = DEFAULT_MAX_QUEUED;

        private Builder() {
        }

        /** Most memos per couple; creating one more gets LIMIT_REACHED. */
        public Builder maxMemos(int maxMemos) {
            this.maxMemos = maxMemos;
            return this;
        }

        /** Longest memo text, in characters (at most {@link #MAX_MEMO_CHARS}); longer gets INVALID_ARGUMENT. */
        public Builder maxMemoChars(int maxMemoChars) {
            this.maxMemoChars = maxMemoChars;
            return this;
        }

        /** Most calendar events per couple; adding one more gets LIMIT_REACHED. */
        public Builder maxEvents(int maxEvents) {
            this.maxEvents = maxEvents;
            return this;
        }

        /** Most photos per couple; finishing one more upload gets LIMIT_REACHED. */
        public Builder maxPhotos(int maxPhotos) {
            this.maxPhotos = maxPhotos;
            return this;
        }

        public Builder maxQueued(int maxQueued) {
            this.maxQueued = maxQueued;
            return this;
        }

        public SpaceLimits build() {
            return new SpaceLimits(this);
        }
    }
}
