package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A new owner's log: it starts from the last sequence number, and the newest messages come later. */
class CoupleLogTest {
    private static Message message(long seq, String text) {
        return new Message(seq, "c-" + seq, 1, "phone", 1000 + seq, MessageKind.TEXT, text);
    }

    private static List<Message> messages(long from, long to) {
        List<Message> list = new ArrayList<>();
        for (long seq = from; seq <= to; seq++) {
            list.add(message(seq, "text " + seq));
        }
        return list;
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::getSeq).toList();
    }

    @Test
    void theNewestMessagesGoInFrontOfTheOnesAppendedMeanwhile() {
        CoupleLog log = new CoupleLog(7, null, 5);
        log.startFrom(10);
        assertThat(log.oldestInMemory()).as("nothing in memory before the fill").isEqualTo(11);
        log.append(messages(11, 12));
        assertThat(log.oldestInMemory()).isEqualTo(11);

        log.fill(messages(6, 10));

        assertThat(seqs(log.inMemory(0, 100))).containsExactly(8L, 9L, 10L, 11L, 12L);
        assertThat(log.lastSeq()).isEqualTo(12);
    }

    @Test
    void aMessageChangedBeforeTheFillKeepsItsChange() {
        CoupleLog log = new CoupleLog(7, null, 10);
        log.startFrom(5);
        log.replace(message(4, "edited"));
        log.replace(message(9, "beyond the last sequence: ignored"));

        log.fill(messages(1, 5));

        assertThat(log.inMemory(4, 4)).extracting(Message::getText).containsExactly("edited");
        assertThat(log.inMemory(3, 3)).extracting(Message::getText).containsExactly("text 3");
        log.replace(message(3, "edited after"));
        assertThat(log.inMemory(3, 3)).extracting(Message::getText).containsExactly("edited after");
    }

    @Test
    void onlyTheFirstFillCounts() {
        CoupleLog log = new CoupleLog(7, null, 10);
        log.startFrom(3);
        log.fill(messages(1, 3));
        log.replace(message(2, "edited"));
        log.fill(messages(1, 3));

        assertThat(seqs(log.inMemory(0, 100))).containsExactly(1L, 2L, 3L);
        assertThat(log.inMemory(2, 2)).extracting(Message::getText).containsExactly("edited");
    }

    @Test
    void aFullWindowOfAppendsLeavesNoRoomForTheFill() {
        CoupleLog log = new CoupleLog(7, null, 3);
        log.startFrom(10);
        log.append(messages(11, 13));
        log.fill(messages(8, 10));
        assertThat(seqs(log.inMemory(0, 100))).containsExactly(11L, 12L, 13L);
    }

    @Test
    void anEmptyCoupleFillsWithNothing() {
        CoupleLog log = new CoupleLog(7, null, 3);
        log.startFrom(0);
        log.fill(List.of());
        assertThat(log.oldestInMemory()).isEqualTo(1);
        log.append(messages(1, 1));
        assertThat(seqs(log.inMemory(0, 100))).containsExactly(1L);
    }
}
