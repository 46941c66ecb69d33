package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchiveMarkTest {
    @Test
    void bucketsCoverTheSequenceNumbersFromOne() {
        ArchiveMark mark = new ArchiveMark(2048, 1024);
        assertThat(mark.bucketOf(1)).isZero();
        assertThat(mark.bucketOf(1024)).isZero();
        assertThat(mark.bucketOf(1025)).isEqualTo(1);
        assertThat(mark.firstOf(1)).isEqualTo(1025);
        assertThat(mark.lastOf(1)).isEqualTo(2048);
        assertThat(mark.archived(2048)).isTrue();
        assertThat(mark.archived(2049)).isFalse();
        assertThat(mark.after(2)).isEqualTo(new ArchiveMark(3072, 1024));
        assertThat(mark.after(0)).as("folding an archived bucket leaves the mark").isEqualTo(mark);
    }

    @Test
    void encodesTheMarkAndItsBucketSizeAndReadsAbsenceAsNone() {
        ArchiveMark mark = new ArchiveMark(300, 100);
        assertThat(ArchiveMark.decode(mark.encode(), 7)).isEqualTo(mark);
        assertThat(ArchiveMark.decode(null, 7)).isEqualTo(new ArchiveMark(0, 7));
        assertThat(ArchiveMark.none(7).archived(1)).isFalse();
        assertThatThrownBy(() -> ArchiveMark.decode(new byte[3], 7)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMarkIsAlwaysAtTheEndOfABucket() {
        assertThatThrownBy(() -> new ArchiveMark(150, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveMark(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
