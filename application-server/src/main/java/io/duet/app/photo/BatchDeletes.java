package io.duet.app.photo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Deletes many objects with few requests: keys go in batches of at most {@link #MAX_KEYS_PER_REQUEST} (S3's
 * limit for one {@code DeleteObjects}), the keys a request could not delete (or a whole batch whose request
 * failed) are tried again up to {@code attempts} times in all, with a doubling pause between attempts, and
 * the keys still not deleted after that are reported with the last reason. Blocking: call it on the photo
 * workers. Pure logic; {@link PhotoObjects} gives it the S3 call.
 */
final class BatchDeletes {
    /** The most keys one S3 {@code DeleteObjects} request may carry. */
    static final int MAX_KEYS_PER_REQUEST = 1000;
    static final int DEFAULT_ATTEMPTS = 3;
    static final Duration DEFAULT_FIRST_PAUSE = Duration.ofMillis(200);

    /** One delete request for at most {@link #MAX_KEYS_PER_REQUEST} keys. */
    @FunctionalInterface
    interface Request {
        /**
         * Deletes {@code keys} (a missing object counts as deleted); returns the keys it could not delete,
         * each with the reason, or throws if the request as a whole failed.
         */
        Map<String, String> delete(List<String> keys);
    }

    /** Waits between attempts; a test's fake clock replaces {@link Thread#sleep}. */
    @FunctionalInterface
    interface Pause {
        void sleep(Duration pause) throws InterruptedException;
    }

    /** What a {@link #deleteAll} did: how many keys were deleted, and each key that was not, with why. */
    record Outcome(int deleted, Map<String, String> failed, int requests) {
        boolean complete() {
            return failed.isEmpty();
        }
    }

    private final int batchSize;
    private final int attempts;
    private final Duration firstPause;
    private final Pause pause;

    BatchDeletes() {
        this(MAX_KEYS_PER_REQUEST, DEFAULT_ATTEMPTS, DEFAULT_FIRST_PAUSE, duration -> Thread.sleep(duration.toMillis()));
    }

    BatchDeletes(int batchSize, int attempts, Duration firstPause, Pause pause) {
        if (batchSize < 1 || batchSize > MAX_KEYS_PER_REQUEST) {
            throw new IllegalArgumentException("batchSize: " + batchSize + " (expected 1 to " + MAX_KEYS_PER_REQUEST + ")");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected at least 1)");
        }
        this.batchSize = batchSize;
        this.attempts = attempts;
        this.firstPause = firstPause;
        this.pause = pause;
    }

    /**
     * Deletes every key (duplicates once), batch after batch; a batch that keeps failing does not stop the
     * ones after it. If interrupted while pausing, stops and reports what is left as failed (the interrupt
     * flag stays set).
     */
    Outcome deleteAll(Collection<String> keys, Request request) {
        List<String> unique = new ArrayList<>(new LinkedHashSet<>(keys));
        Map<String, String> failed = new LinkedHashMap<>();
        int requests = 0;
        boolean interrupted = false;
        for (int from = 0; from < unique.size(); from += batchSize) {
            List<String> batch = unique.subList(from, Math.min(unique.size(), from + batchSize));
            Map<String, String> left = new LinkedHashMap<>();
            batch.forEach(key -> left.put(key, "not tried: interrupted"));
            Duration wait = firstPause;
            for (int attempt = 1; attempt <= attempts && !interrupted && !left.isEmpty(); attempt++) {
                if (attempt > 1) {
                    try {
                        pause.sleep(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        interrupted = true;
                        break;
                    }
                    wait = wait.multipliedBy(2);
                }
                List<String> now = List.copyOf(left.keySet());
                requests++;
                Map<String, String> notDeleted;
                try {
                    notDeleted = request.delete(now);
                } catch (RuntimeException e) {
                    String reason = "the request failed: " + e;
                    now.forEach(key -> left.put(key, reason));
                    continue;
                }
                left.keySet().retainAll(notDeleted.keySet());
                notDeleted.forEach((key, reason) -> left.computeIfPresent(key, (k, old) -> reason));
            }
            failed.putAll(left);
        }
        return new Outcome(unique.size() - failed.size(), failed, requests);
    }
}
