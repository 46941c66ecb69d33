package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
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
        assertThatThrownBy(() -> ArchiveMark.decode(new byte[11], 7)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMarkANewerReleaseExtendedIsReadAndItsNewerFieldsAreWrittenBack() {
        byte[] newerFields = {1, 2, 3, 4, 5};
        byte[] stored = Arrays.copyOf(new ArchiveMark(300, 100).encode(), 12 + newerFields.length);
        System.arraycopy(newerFields, 0, stored, 12, newerFields.length);

        ArchiveMark mark = ArchiveMark.decode(stored, 7);
        assertThat(mark.archivedUpTo()).isEqualTo(300);
        assertThat(mark.bucketSize()).isEqualTo(100);
        assertThat(mark.encode()).as("written back unchanged").isEqualTo(stored);
        assertThat(mark).isNotEqualTo(new ArchiveMark(300, 100));

        // The mark a move writes after archiving the next bucket keeps the newer fields.
        byte[] moved = mark.after(3).encode();
        assertThat(ArchiveMark.decode(moved, 7).archivedUpTo()).isEqualTo(400);
        assertThat(Arrays.copyOfRange(moved, 0, 12)).isEqualTo(new ArchiveMark(400, 100).encode());
        assertThat(Arrays.copyOfRange(moved, 12, moved.length)).isEqualTo(newerFields);
        assertThat(mark.after(2)).as("folding an archived bucket leaves the mark").isEqualTo(mark);
    }

    @Test
    void aMarkIsAlwaysAtTheEndOfABucket() {
        assertThatThrownBy(() -> new ArchiveMark(150, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ArchiveMark(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
