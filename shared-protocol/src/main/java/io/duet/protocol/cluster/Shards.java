package io.duet.protocol.cluster;

/**
 * The fixed mapping from couple (or user) ids to shards. The number of shards is set when a cluster
 * is created and never changes, because HBase rows are keyed, and the couple table pre-split, by it.
 */
public final class Shards {
    public static final int DEFAULT_SHARD_COUNT = 64;
    /** Shard prefixes of row keys are two bytes. */
    public static final int MAX_SHARD_COUNT = 1 << 16;

    private Shards() {
    }

    /** The shard of a couple id, or of a user id for a user who has no couple. */
    public static int shardOf(long id, int shardCount) {
        checkShardCount(shardCount);
        return (int) Long.remainderUnsigned(mix(id), shardCount);
    }

    public static int checkShardCount(int shardCount) {
        if (shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
            throw new IllegalArgumentException(
                    "shardCount: " + shardCount + " (expected: 1.." + MAX_SHARD_COUNT + ")");
        }
        return shardCount;
    }

    /** MurmurHash3's 64-bit finalizer: spreads ids that are not uniformly random. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
