package io.duet.app.photo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbandonedUploadsTest {
    private static final Instant NOW = Instant.parse("2026-11-27T06:00:00Z");
    private static final Duration AFTER = Duration.ofHours(24);

    @Test
    void anUploadKeyNamesItsCouple() {
        assertThat(AbandonedUploads.coupleOf(Photos.incomingKey(42, "ab12"))).isEqualTo(42);
        assertThat(AbandonedUploads.coupleOf("photos/0123")).isZero();
        assertThat(AbandonedUploads.coupleOf("incoming/")).isZero();
        assertThat(AbandonedUploads.coupleOf("incoming/x/1")).isZero();
        assertThat(AbandonedUploads.coupleOf("incoming/42")).isZero();
    }

    @Test
    void onlyOldUploadsOfOwnedCouplesAreDeleted() {
        List<PhotoObjects.Listed> listed = List.of(
                new PhotoObjects.Listed("incoming/1/old", NOW.minus(AFTER).minusSeconds(1)),
                new PhotoObjects.Listed("incoming/1/fresh", NOW.minus(AFTER).plusSeconds(1)),
                new PhotoObjects.Listed("incoming/2/old-but-not-ours", NOW.minus(AFTER).minusSeconds(1)),
                new PhotoObjects.Listed("incoming/garbage", NOW.minus(Duration.ofDays(9))),
                new PhotoObjects.Listed("incoming/1/undated", null));

        assertThat(AbandonedUploads.expired(listed, NOW, AFTER, couple -> couple == 1))
                .containsExactly("incoming/1/old");
    }
}
