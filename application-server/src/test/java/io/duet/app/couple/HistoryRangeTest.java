package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class HistoryRangeTest {
    @Test
    void forwardPagesEndAtTheLatest() {
        HistoryRange first = HistoryRange.after(0, 10, 25);
        assertThat(first.from).isEqualTo(1);
        assertThat(first.to).isEqualTo(10);
        assertThat(first.hasMore).isTrue();
        assertThat(first.nextCursor).isEqualTo(10);

        HistoryRange last = HistoryRange.after(20, 10, 25);
        assertThat(last.from).isEqualTo(21);
        assertThat(last.to).isEqualTo(25);
        assertThat(last.hasMore).isFalse();
        assertThat(last.nextCursor).isEqualTo(25);

        assertThat(HistoryRange.after(25, 10, 25).isEmpty()).isTrue();
        assertThat(HistoryRange.after(25, 10, 25).hasMore).isFalse();
        assertThat(HistoryRange.after(Long.MAX_VALUE, 10, 25).isEmpty()).isTrue();
        assertThat(HistoryRange.after(0, 10, 0).isEmpty()).isTrue();
        assertThat(HistoryRange.after(-5, 10, 3).from).isEqualTo(1);
    }

    @Test
    void backwardPagesEndAtTheFirst() {
        HistoryRange newest = HistoryRange.before(Long.MAX_VALUE, 10, 25);
        assertThat(newest.from).isEqualTo(16);
        assertThat(newest.to).isEqualTo(25);
        assertThat(newest.hasMore).isTrue();
        assertThat(newest.nextCursor).isEqualTo(16);

        HistoryRange oldest = HistoryRange.before(6, 10, 25);
        assertThat(oldest.from).isEqualTo(1);
        assertThat(oldest.to).isEqualTo(5);
        assertThat(oldest.hasMore).isFalse();
        assertThat(oldest.nextCursor).isEqualTo(1);

        assertThat(HistoryRange.before(1, 10, 25).isEmpty()).isTrue();
        assertThat(HistoryRange.before(Long.MIN_VALUE, 10, 25).isEmpty()).isTrue();
        assertThat(HistoryRange.before(Long.MAX_VALUE, 10, 0).isEmpty()).isTrue();
    }

    @Test
    void pagesAreBounded() {
        HistoryRange huge = HistoryRange.after(0, Integer.MAX_VALUE, 10_000);
        assertThat(huge.to - huge.from + 1).isEqualTo(CoupleLimits.MAX_PAGE);
        assertThat(HistoryRange.before(100, 0, 200).from).isEqualTo(99);
        assertThat(HistoryRange.before(100, -3, 200).to).isEqualTo(99);
    }

    @Test
    void whatAPageOfStoredMessagesLacksIsMissing() {
        HistoryRange range = HistoryRange.after(10, 20, 100);
        assertThat(range.missingFrom(stored(LongStream.rangeClosed(11, 30)))).isEmpty();
        assertThat(range.missingFrom(stored(LongStream.concat(LongStream.rangeClosed(13, 19),
                LongStream.rangeClosed(22, 27))))).containsExactly(new MissingRange(11, 12), new MissingRange(20, 21),
                        new MissingRange(28, 30));
        assertThat(range.missingFrom(List.of())).containsExactly(new MissingRange(11, 30));
        assertThat(range.missingFrom(stored(LongStream.of(11, 30)))).containsExactly(new MissingRange(12, 29));
    }

    private static List<Message> stored(LongStream seqs) {
        return seqs.mapToObj(seq -> new Message().setSeq(seq)).collect(Collectors.toList());
    }
}
