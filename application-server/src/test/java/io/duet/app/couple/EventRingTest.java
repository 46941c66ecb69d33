package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.CalendarChangedEvent;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadEvent;
import io.duet.protocol.api.TypingEvent;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The couple's ring of recent events, and the cursors a feed poll reads it with. */
class EventRingTest {
    private static final long ANN = 1;
    private static final long BOB = 2;

    private final EventRing ring = new EventRing(77, 8);

    private static Message message(long seq, long sender, String device) {
        return new Message().setSeq(seq).setSenderId(sender).setSenderDeviceId(device).setText("m" + seq)
                .setClientMessageId("c" + seq);
    }

    private static String describe(Event event) {
        switch (event.getSetField()) {
            case MESSAGE:
                return "message " + event.getMessage().getMessage().getSeq();
            case MESSAGE_CHANGED:
                return "changed " + event.getMessageChanged().getMessage().getSeq() + " #"
                        + event.getMessageChanged().getChange();
            case TYPING:
                return "typing " + event.getTyping().getUserId();
            case READ_MARK:
                return "read " + event.getReadMark().getReadUpTo();
            default:
                return event.getSetField().getFieldName();
        }
    }

    private static List<String> describe(EventRing.Read read) {
        return read.events().stream().map(EventRingTest::describe).collect(Collectors.toList());
    }

    @Test
    void aPollGetsEveryKindInOrderAndItsCursorsMovePastThem() {
        ring.message(message(1, ANN, "phone"));
        ring.changed(message(1, ANN, "phone").setText("edited"), 1);
        ring.add(Event.readMark(new ReadEvent(BOB, 1)), 0);
        ring.add(Event.typing(new TypingEvent(BOB, true)), BOB);
        ring.add(Event.calendarChanged(new CalendarChangedEvent(BOB)), 0);

        EventRing.Read read = ring.read(ANN, null, 0, 0, 0, 100);

        assertThat(describe(read)).containsExactly("message 1", "changed 1 #1", "read 1", "typing 2",
                "calendarChanged");
        assertThat(read.afterSeq()).isEqualTo(1);
        assertThat(read.afterChange()).isEqualTo(1);
        assertThat(read.afterEvent()).isEqualTo(5).isEqualTo(ring.last());
        assertThat(ring.read(ANN, null, 1, 1, 5, 100).events()).as("nothing twice").isEmpty();
    }

    @Test
    void aTypistsOwnDevicesAreNotToldOfItsTyping() {
        ring.add(Event.typing(new TypingEvent(BOB, true)), BOB);
        EventRing.Read bob = ring.read(BOB, null, 0, 0, 0, 100);
        assertThat(bob.events()).isEmpty();
        assertThat(bob.afterEvent()).as("the cursor moves past it").isEqualTo(1);
    }

    @Test
    void messagesAndChangesTheClientHasAreLeftOut() {
        ring.message(message(5, ANN, "phone"));
        ring.message(message(6, ANN, "phone"));
        ring.changed(message(5, ANN, "phone"), 3);
        ring.changed(message(6, ANN, "phone"), 4);

        // It read 5 and 6, and change 3, from storage (a catch-up) while they were being committed.
        EventRing.Read read = ring.read(ANN, null, 6, 3, 0, 100);

        assertThat(describe(read)).containsExactly("changed 6 #4");
        assertThat(read.afterSeq()).isEqualTo(6);
        assertThat(read.afterChange()).isEqualTo(4);
    }

    @Test
    void aChangeOfAMessageThePollerHasNotReachedIsSkippedForTheMessageAsItIsNow() {
        ring.changed(message(9, ANN, "phone"), 7);
        EventRing.Read read = ring.read(BOB, null, 8, 6, 0, 100);
        assertThat(read.events()).isEmpty();
        assertThat(read.afterChange()).isEqualTo(7);
        assertThat(read.afterSeq()).isEqualTo(8);
    }

    @Test
    void noEchoLeavesOutTheDevicesOwnMessagesButMovesPastThem() {
        ring.message(message(1, ANN, "web"));
        ring.message(message(2, ANN, "phone"));
        ring.message(message(3, BOB, "web"));

        EventRing.Read read = ring.read(ANN, "web", 0, 0, 0, 100);

        assertThat(describe(read)).containsExactly("message 2", "message 3");
        assertThat(read.afterSeq()).isEqualTo(3);
        assertThat(describe(ring.read(ANN, null, 0, 0, 0, 100))).as("without noEcho")
                .containsExactly("message 1", "message 2", "message 3");
    }

    @Test
    void aPollReturnsAtMostItsMaximumAndTheNextGoesOnFromThere() {
        for (long seq = 1; seq <= 5; seq++) {
            ring.message(message(seq, ANN, "phone"));
        }
        EventRing.Read first = ring.read(BOB, null, 0, 0, 0, 2);
        assertThat(describe(first)).containsExactly("message 1", "message 2");
        assertThat(first.afterEvent()).isEqualTo(2);

        EventRing.Read second = ring.read(BOB, null, first.afterSeq(), 0, first.afterEvent(), 2);
        assertThat(describe(second)).containsExactly("message 3", "message 4");
    }

    @Test
    void theRingKeepsItsCapacityAndKnowsWhichCursorsItHolds() {
        assertThat(ring.holds(0)).as("an empty ring holds its start").isTrue();
        assertThat(ring.holds(1)).as("an event it never had").isFalse();
        for (int i = 0; i < 8; i++) {
            ring.add(Event.readMark(new ReadEvent(ANN, i)), 0);
        }
        assertThat(ring.holds(0)).as("full: nothing dropped yet").isTrue();

        ring.add(Event.readMark(new ReadEvent(ANN, 8)), 0);

        assertThat(ring.size()).isEqualTo(8);
        assertThat(ring.holds(0)).as("fell behind: event 1 was dropped").isFalse();
        assertThat(ring.holds(1)).isTrue();
        assertThat(ring.holds(9)).isTrue();
        assertThat(ring.holds(10)).isFalse();
        assertThat(ring.holds(-1)).isFalse();
    }

    @Test
    void theRingCarriesOnFromTheClientsDurableCursorsOnlyIfItHasTheNextMessageAndChange() {
        ring.add(Event.readMark(new ReadEvent(ANN, 0)), 0);
        ring.message(message(11, ANN, "phone"));
        ring.changed(message(11, ANN, "phone"), 5);

        assertThat(ring.carriesAfter(1, 10, 4, 11, 5)).isTrue();
        assertThat(ring.carriesAfter(0, 10, 4, 11, 5)).isTrue();
        assertThat(ring.carriesAfter(1, 9, 4, 11, 5)).as("message 10 was committed before the cursor").isFalse();
        assertThat(ring.carriesAfter(1, 10, 3, 11, 5)).as("change 4 came before the cursor").isFalse();
        assertThat(ring.carriesAfter(2, 10, 4, 11, 5)).as("message 11 is before the cursor").isFalse();
        assertThat(ring.carriesAfter(3, 11, 5, 11, 5)).as("up to date").isTrue();
        assertThat(ring.carriesAfter(3, 11, 5, 12, 5)).as("a message the ring lacks").isFalse();
    }

    @Test
    void aRingNeedsRoom() {
        assertThatThrownBy(() -> new EventRing(1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
