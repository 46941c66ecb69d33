package io.duet.app.photo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchDeletesTest {
    private final List<Duration> pauses = new ArrayList<>();
    private final BatchDeletes deletes = new BatchDeletes(BatchDeletes.MAX_KEYS_PER_REQUEST, 3, Duration.ofMillis(200),
            pauses::add);

    /** A bucket of keys; each request deletes what it may and says which keys it did not. */
    private static final class Bucket implements BatchDeletes.Request {
        final Set<String> objects = new HashSet<>();
        final List<Integer> requestSizes = new ArrayList<>();
        /** Keys refused this many more times. */
        final Map<String, Integer> refusals = new HashMap<>();
        /** Whole requests that fail (with an exception) before one goes through. */
        int failingRequests;

        @Override
        public Map<String, String> delete(List<String> keys) {
            requestSizes.add(keys.size());
            if (failingRequests > 0) {
                failingRequests--;
                throw new IllegalStateException("503 Slow Down");
            }
            Map<String, String> failed = new HashMap<>();
            for (String key : keys) {
                if (refusals.merge(key, -1, Integer::sum) >= 0) {
                    failed.put(key, "InternalError: try again");
                } else {
                    objects.remove(key); // a missing object is deleted too
                }
            }
            return failed;
        }
    }

    private static List<String> keys(int count) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add("photos/" + i);
        }
        return keys;
    }

    @Test
    void twentyFiveHundredKeysTakeThreeRequestsOfAtMostAThousand() {
        Bucket bucket = new Bucket();
        List<String> keys = keys(2500);
        bucket.objects.addAll(keys);

        BatchDeletes.Outcome outcome = deletes.deleteAll(keys, bucket);

        assertThat(bucket.requestSizes).containsExactly(1000, 1000, 500);
        assertThat(outcome.requests()).isEqualTo(3);
        assertThat(outcome.deleted()).isEqualTo(2500);
        assertThat(outcome.complete()).isTrue();
        assertThat(bucket.objects).isEmpty();
        assertThat(pauses).isEmpty();
    }

    @Test
    void keysARequestFailedAreTriedAgainAloneAfterADoublingPause() {
        Bucket bucket = new Bucket();
        List<String> keys = keys(1200);
        bucket.objects.addAll(keys);
        bucket.refusals.put("photos/3", 2); // refused twice, deleted at the third attempt
        bucket.refusals.put("photos/1100", 1);

        BatchDeletes.Outcome outcome = deletes.deleteAll(keys, bucket);

        assertThat(outcome.complete()).isTrue();
        assertThat(bucket.objects).isEmpty();
        assertThat(bucket.requestSizes).containsExactly(1000, 1, 1, 200, 1);
        assertThat(pauses).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(200));
    }

    @Test
    void keysStillRefusedAfterTheLastAttemptAreReportedAndTheOtherBatchesStillRun() {
        Bucket bucket = new Bucket();
        List<String> keys = keys(2100);
        bucket.objects.addAll(keys);
        bucket.refusals.put("photos/1007", 100);
        bucket.failingRequests = 3; // the whole first batch fails three times: it is given up

        BatchDeletes.Outcome outcome = deletes.deleteAll(keys, bucket);

        assertThat(bucket.requestSizes).containsExactly(1000, 1000, 1000, 1000, 1, 1, 100);
        assertThat(outcome.requests()).isEqualTo(7);
        assertThat(outcome.failed()).hasSize(1001);
        assertThat(outcome.failed().get("photos/0")).contains("503 Slow Down");
        assertThat(outcome.failed().get("photos/7")).isEqualTo("the request failed: java.lang.IllegalStateException: 503 Slow Down");
        assertThat(outcome.failed()).containsEntry("photos/1007", "InternalError: try again").doesNotContainKey("photos/1008");
        assertThat(outcome.deleted()).isEqualTo(1099);
        assertThat(bucket.objects).containsExactlyInAnyOrderElementsOf(outcome.failed().keySet());

        ObjectsNotDeletedException error = new ObjectsNotDeletedException(outcome.failed(), 2100);
        assertThat(error.getMessage()).startsWith("1001 of 2100 objects not deleted, for example [photos/0 (");
        assertThat(error.failed()).isEqualTo(outcome.failed());
    }

    @Test
    void duplicateKeysAreDeletedOnceAndNoKeysMeanNoRequest() {
        Bucket bucket = new Bucket();
        assertThat(deletes.deleteAll(List.of("a", "b", "a"), bucket).deleted()).isEqualTo(2);
        assertThat(bucket.requestSizes).containsExactly(2);
        assertThat(deletes.deleteAll(List.of(), bucket).requests()).isZero();
    }

    @Test
    void anInterruptedPauseStopsAndReportsWhatIsLeft() {
        BatchDeletes interrupted = new BatchDeletes(2, 3, Duration.ofMillis(200), pause -> {
            throw new InterruptedException();
        });
        Bucket bucket = new Bucket();
        bucket.refusals.put("a", 1);
        try {
            BatchDeletes.Outcome outcome = interrupted.deleteAll(List.of("a", "b", "c"), bucket);
            assertThat(outcome.failed()).containsOnlyKeys("a", "c");
            assertThat(outcome.failed().get("c")).isEqualTo("not tried: interrupted");
            assertThat(bucket.requestSizes).containsExactly(2);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aBatchIsOneToAThousandKeys() {
        assertThatThrownBy(() -> new BatchDeletes(1001, 3, Duration.ZERO, pause -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchDeletes(0, 3, Duration.ZERO, pause -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
