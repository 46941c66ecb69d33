package io.duet.app.storage;

import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link CoupleStore} writes and what it records: where its meters go, how many group commits may
 * be out at a time and how each goes to HBase, and which server it records as the writer of each message.
 * {@link #builder()} starts from the defaults; {@link #defaults()} is what a test or a tool needs.
 */
public final class CoupleStoreSettings {
    /** How many group-commit requests (see {@link CommitBatcher}) may be out at a time, unless set. */
    public static final int DEFAULT_COMMIT_REQUESTS_IN_FLIGHT = 2;
    /**
     * Whether a group commit goes as one atomic call per region ({@link RegionCommits}), unless set: yes
     * (BENCHMARKS.md, section 6; the failover and chaos integration tests run with it).
     */
    public static final boolean DEFAULT_COMMITS_PER_REGION = true;
    /** Where the store's latency and outcome meters go, unless set: nowhere. */
    public static final StoreMeters DEFAULT_METERS = StoreMeters.NONE;
    /** Messages in one archive bucket of a couple that has archived none yet, unless set. */
    public static final int DEFAULT_ARCHIVE_BUCKET_SIZE = 1024;
    /** Photos moved out of an older release's couple row per write ({@link PhotoMigration}). */
    public static final int DEFAULT_PHOTO_MIGRATION_BATCH = PhotoMigration.DEFAULT_BATCH;

    private final StoreMeters meters;
    private final int commitRequestsInFlight;
    private final boolean commitsPerRegion;
    private final String writerInstance;
    private final int archiveBucketSize;
    private final int photoMigrationBatch;

    private CoupleStoreSettings(Builder builder) {
        this.meters = Objects.requireNonNull(builder.meters, "meters");
        if (builder.commitRequestsInFlight < 1) {
            throw new IllegalArgumentException("commitRequestsInFlight: " + builder.commitRequestsInFlight
                    + " (expected: >= 1)");
        }
        this.commitRequestsInFlight = builder.commitRequestsInFlight;
        this.commitsPerRegion = builder.commitsPerRegion;
        this.writerInstance = builder.writerInstance;
        if (builder.archiveBucketSize < 1) {
            throw new IllegalArgumentException("archiveBucketSize: " + builder.archiveBucketSize + " (expected: >= 1)");
        }
        this.archiveBucketSize = builder.archiveBucketSize;
        if (builder.photoMigrationBatch < 1) {
            throw new IllegalArgumentException("photoMigrationBatch: " + builder.photoMigrationBatch + " (expected: >= 1)");
        }
        this.photoMigrationBatch = builder.photoMigrationBatch;
    }

    public static CoupleStoreSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the latency and outcome of every operation go ({@link StoreMeters}). */
    public StoreMeters meters() {
        return meters;
    }

    /**
     * How many requests carrying the commits of many couples together may be out at a time; commits that
     * come meanwhile wait and go together in the next.
     */
    public int commitRequestsInFlight() {
        return commitRequestsInFlight;
    }

    /**
     * Whether the commits of one group that fall in one region go to HBase as one atomic call with a
     * condition per commit ({@link RegionCommits}: one WAL sync per region, not per commit); false sends one
     * {@code checkAndMutate} per commit.
     */
    public boolean commitsPerRegion() {
        return commitsPerRegion;
    }

    /**
     * The instance id of this server, stored with every message it commits ({@code
     * StoredMessage.writerInstance}) so that a check can prove one writer per fence; empty stores none.
     */
    public Optional<String> writerInstance() {
        return Optional.ofNullable(writerInstance);
    }

    /**
     * How many sequence numbers one archive row holds ({@link MessageArchive}), for couples that archive
     * their first bucket from now on; a couple keeps the size of its first bucket for good.
     */
    public int archiveBucketSize() {
        return archiveBucketSize;
    }

    /** Photos moved per write from a couple row of an older release to the photos table. */
    public int photoMigrationBatch() {
        return photoMigrationBatch;
    }

    /** Mutable; {@link #build()} makes the immutable settings. */
    public static final class Builder {
        private StoreMeters meters = DEFAULT_METERS;
        private int commitRequestsInFlight = DEFAULT_COMMIT_REQUESTS_IN_FLIGHT;
        private boolean commitsPerRegion = DEFAULT_COMMITS_PER_REGION;
        private String writerInstance;
        private int archiveBucketSize = DEFAULT_ARCHIVE_BUCKET_SIZE;
        private int photoMigrationBatch = DEFAULT_PHOTO_MIGRATION_BATCH;

        private Builder() {
        }

        public Builder meters(StoreMeters meters) {
            this.meters = meters;
            return this;
        }

        public Builder commitRequestsInFlight(int commitRequestsInFlight) {
            this.commitRequestsInFlight = commitRequestsInFlight;
            return this;
        }

        public Builder commitsPerRegion(boolean commitsPerRegion) {
            this.commitsPerRegion = commitsPerRegion;
            return this;
        }

        /** Null (the default) records no writer. */
        public Builder writerInstance(String writerInstance) {
            this.writerInstance = writerInstance;
            return this;
        }

        public Builder archiveBucketSize(int archiveBucketSize) {
            this.archiveBucketSize = archiveBucketSize;
            return this;
        }

        public Builder photoMigrationBatch(int photoMigrationBatch) {
            this.photoMigrationBatch = photoMigrationBatch;
            return this;
        }

        public CoupleStoreSettings build() {
            return new CoupleStoreSettings(this);
        }
    }
}
