package io.duet.app.photo;

import io.duet.settings.Settings;
import java.time.Duration;

/**
 * Limits and lifetimes of photos ({@code photos.*} settings); {@link #builder()} starts from the defaults.
 * The photo workers hold at most {@code workers} uploads in memory at once (each at most {@code maxBytes},
 * decoded at most about 4,096 pixels on the long edge: about 64 MiB of pixels), and queue at most
 * {@code maxQueued} more; more get BUSY.
 */
public final class PhotoSettings {
    public static final int DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
    /** 50 megapixels: every phone camera's photos, and no image bomb. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    public static final Duration DEFAULT_UPLOAD_URL_LIFETIME = Duration.ofMinutes(10);
    public static final Duration DEFAULT_DOWNLOAD_URL_LIFETIME = Duration.ofMinutes(10);
    public static final int DEFAULT_WORKERS = 2;
    public static final int DEFAULT_MAX_QUEUED = 16;
    /** An upload not finished this long after it was PUT is abandoned: its object is deleted. */
    public static final Duration DEFAULT_ABANDONED_UPLOAD_AFTER = Duration.ofHours(24);
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(10);
    public static final int DEFAULT_SWEEP_MAX_OBJECTS = 1000;

    final int maxBytes;
    final long maxPixels;
    final Duration uploadUrlLifetime;
    final Duration downloadUrlLifetime;
    final int workers;
    final int maxQueued;
    final Duration abandonedUploadAfter;
    final Duration sweepInterval;
    final int sweepMaxObjects;

    private PhotoSettings(Builder builder) {
        this.maxBytes = positive("maxBytes", builder.maxBytes);
        this.maxPixels = positive("maxPixels", builder.maxPixels);
        this.uploadUrlLifetime = builder.uploadUrlLifetime;
        this.downloadUrlLifetime = builder.downloadUrlLifetime;
        this.workers = (int) positive("workers", builder.workers);
        this.maxQueued = (int) positive("maxQueued", builder.maxQueued);
        positive("abandonedUploadAfter", builder.abandonedUploadAfter.toMillis());
        this.abandonedUploadAfter = builder.abandonedUploadAfter;
        positive("sweepInterval", builder.sweepInterval.toMillis());
        this.sweepInterval = builder.sweepInterval;
        this.sweepMaxObjects = positive("sweepMaxObjects", builder.sweepMaxObjects);
    }

    private static int positive(String name, int value) {
        return (int) positive(name, (long) value);
    }

    private static long positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
        return value;
    }

    public static PhotoSettings from(Settings settings) {
        return builder()
                .maxBytes(settings.integer("photos.max-bytes", DEFAULT_MAX_BYTES))
                .maxPixels(Long.parseLong(settings.string("photos.max-pixels", Long.toString(DEFAULT_MAX_PIXELS))))
                .uploadUrlLifetime(settings.duration("photos.upload-url-lifetime", DEFAULT_UPLOAD_URL_LIFETIME))
                .downloadUrlLifetime(settings.duration("photos.download-url-lifetime", DEFAULT_DOWNLOAD_URL_LIFETIME))
                .workers(settings.integer("photos.workers", DEFAULT_WORKERS))
                .maxQueued(settings.integer("photos.max-queued", DEFAULT_MAX_QUEUED))
                .abandonedUploadAfter(settings.duration("photos.abandoned-upload-after", DEFAULT_ABANDONED_UPLOAD_AFTER))
                .sweepInterval(settings.duration("photos.sweep-interval", DEFAULT_SWEEP_INTERVAL))
                .sweepMaxObjects(settings.integer("photos.sweep-max-objects", DEFAULT_SWEEP_MAX_OBJECTS))
                .build();
    }

    public int maxBytes() {
        return maxBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private int maxBytes = DEFAULT_MAX_BYTES;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private Duration uploadUrlLifetime = DEFAULT_UPLOAD_URL_LIFETIME;
        private Duration downloadUrlLifetime = DEFAULT_DOWNLOAD_URL_LIFETIME;
        private int workers = DEFAULT_WORKERS;
        private int maxQueued = DEFAULT_MAX_QUEUED;
        private Duration abandonedUploadAfter = DEFAULT_ABANDONED_UPLOAD_AFTER;
        private Duration sweepInterval = DEFAULT_SWEEP_INTERVAL;
        private int sweepMaxObjects = DEFAULT_SWEEP_MAX_OBJECTS;

        private Builder() {
        }

        /** The largest upload, in bytes; larger gets INVALID_ARGUMENT. */
        public Builder maxBytes(int maxBytes) {
            this.maxBytes = maxBytes;
            return this;
        }

        /** The most pixels an image may declare (width x height); more gets INVALID_ARGUMENT, undecoded. */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /** How long a presigned upload (PUT) URL works. */
        public Builder uploadUrlLifetime(Duration lifetime) {
            this.uploadUrlLifetime = lifetime;
            return this;
        }

        /** How long a presigned download (GET) URL works. */
        public Builder downloadUrlLifetime(Duration lifetime) {
            this.downloadUrlLifetime = lifetime;
            return this;
        }

        /** Threads that talk to S3 and make variants. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Photo tasks waiting for a worker; more get BUSY. */
        public Builder maxQueued(int maxQueued) {
            this.maxQueued = maxQueued;
            return this;
        }

        /**
         * How long after its PUT an upload not finished is abandoned: the sweep deletes its object (finishing
         * it then gets NOT_FOUND). Keep it well above the upload URL lifetime.
         */
        public Builder abandonedUploadAfter(Duration after) {
            this.abandonedUploadAfter = after;
            return this;
        }

        /** How often each server sweeps the abandoned uploads of the couples it owns. */
        public Builder sweepInterval(Duration interval) {
            this.sweepInterval = interval;
            return this;
        }

        /** The most upload objects one sweep lists: a sweep's work is bounded, the next one goes on. */
        public Builder sweepMaxObjects(int max) {
            this.sweepMaxObjects = max;
            return this;
        }

        public PhotoSettings build() {
            return new PhotoSettings(this);
        }
    }
}
