package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.StickerRef;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Message kinds on the local cluster, over TCP ({@link DuetClient}) and HTTP ({@link DuetHttp}): stickers,
 * the sender's edits and deletes heard live by the partner and the sender's other device, history and a
 * late device's catch-up showing the current state (tombstones in place), the errors of bad changes, and a
 * device that was away resuming with its change cursor to be sent the changes it missed, each once.
 */
class MessageKindsIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void stickersEditsAndDeletesReachEveryDeviceAndHistoryKeepsTombstonesInPlace() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        TestCouple others = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String ann = couple.ann.getToken();
        String bob = couple.bob.getToken();
        Session annTabletSession = couple.logInOnDevice(couple.ann, 1, "ann-tablet");
        RecordingListener annPhoneHears = new RecordingListener();
        RecordingListener annTabletHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient annPhone = couple.connect(couple.ann, 0, annPhoneHears, 0);
                DuetClient annTablet = couple.connect(annTabletSession, 1, annTabletHears, 0);
                DuetClient bobPhone = couple.connect(couple.bob, 1, bobHears, 0)) {
            // 1 and 2 from Ann over TCP, 3 and 4 from Bob over HTTP.
            long text = tcp(annPhone.send("helo Bob")).getSeq();
            long sticker = tcp(annPhone.sendSticker("cats", "wave")).getSeq();
            long bobsText = bobHttp.sendMessage(bob, UUID.randomUUID().toString(), "hi Ann").getSeq();
            long bobsSticker = bobHttp.sendSticker(bob, UUID.randomUUID().toString(), "dogs", "bark.2").getSeq();
            assertThat(List.of(text, sticker, bobsText, bobsSticker)).containsExactly(1L, 2L, 3L, 4L);
            bobHears.awaitMessages(4, WAIT);
            annTabletHears.awaitMessages(4, WAIT);
            Message heard = bobHears.messages.get(1);
            assertThat(heard.getKind()).isEqualTo(MessageKind.STICKER);
            assertThat(heard.getSticker()).isEqualTo(new StickerRef("cats", "wave"));
            assertThat(heard.getText()).isEmpty();
            assertThat(annTabletHears.messages.get(3).getSticker()).isEqualTo(new StickerRef("dogs", "bark.2"));
            // The sending phone's own sticker message (built by the SDK from its send's reply, not echoed) is
            // the one the partner got.
            annPhoneHears.awaitMessages(4, WAIT);
            assertThat(annPhoneHears.messages.get(1)).isEqualTo(heard);
            assertThat(annPhoneHears.messages.get(3)).isEqualTo(annTabletHears.messages.get(3));

            // Ann edits 1 on her phone naming its version, deletes 2 over HTTP; Bob edits 3 (last writer wins).
            Message edited = tcp(annPhone.editMessage(text, "hello Bob", 0));
            assertThat(edited.getText()).isEqualTo("hello Bob");
            assertThat(edited.getVersion()).isEqualTo(1);
            assertThat(edited.isSetEditedAtMillis()).isTrue();
            Message tombstone = annHttp.deleteMessage(ann, sticker, null);
            assertThat(tombstone.isDeleted()).isTrue();
            assertThat(tombstone.getSeq()).isEqualTo(sticker);
            // Its kind is absent on the wire too, but a decoder that fills in defaults reads TEXT there.
            assertThat(tombstone.isSetSticker() || tombstone.isSetText() || tombstone.isSetPhotoId()).isFalse();
            Message bobsEdit = bobHttp.editMessage(bob, bobsText, "hi Ann!", null);

            // The partner and the sender's other device hear each change live, in order.
            RecordingListener.await(WAIT, "Bob's phone hears 3 changes", () -> bobHears.changes.size() >= 3);
            RecordingListener.await(WAIT, "Ann's tablet hears 3 changes", () -> annTabletHears.changes.size() >= 3);
            assertThat(bobHears.changes).containsExactly(edited, tombstone, bobsEdit);
            assertThat(annTabletHears.changes).containsExactly(edited, tombstone, bobsEdit);

            // History over both transports shows the messages as they are now, tombstone in place.
            List<Message> now = bobHttp.fetchHistory(bob, 0, 10).getMessages();
            assertThat(now).hasSize(4);
            assertThat(now.subList(0, 3)).containsExactly(edited, tombstone, bobsEdit);
            assertThat(now.get(3).getSticker()).isEqualTo(new StickerRef("dogs", "bark.2"));
            assertThat(tcp(annPhone.fetchHistory(0, 10)).getMessages()).isEqualTo(now);
            assertThat(tcp(annPhone.fetchHistoryBefore(Long.MAX_VALUE, 10)).getMessages()).isEqualTo(now);
            // A tombstone is nothing to read: Bob has Ann's edited message unread, not her deleted one.
            assertThat(bobHttp.readState(bob).getUnreadCount()).isEqualTo(1);

            // A device that catches up now gets the current state and no change events.
            RecordingListener lateHears = new RecordingListener();
            Session bobTablet = couple.logInOnDevice(couple.bob, 0, "bob-tablet");
            try (DuetClient late = couple.connect(bobTablet, 0, lateHears, 0)) {
                lateHears.awaitMessages(4, WAIT);
                assertThat(lateHears.snapshot()).isEqualTo(now);
                assertThat(lateHears.changes).isEmpty();
            }

            // A stale version is a conflict carrying the message as it is; deleting again changes nothing.
            MessageConflict conflict = catchThrowableOfType(MessageConflict.class,
                    () -> annHttp.editMessage(ann, text, "stale", 0L));
            assertThat((Throwable) conflict).as("a stale edit's conflict").isNotNull();
            assertThat(conflict.getCurrent()).isEqualTo(edited);
            assertThat(annHttp.deleteMessage(ann, sticker, 0L)).isEqualTo(tombstone);

            // Bad changes get clear errors and change nothing.
            expectError(ErrorCode.PERMISSION_DENIED, () -> annHttp.editMessage(ann, bobsText, "not mine", null));
            expectError(ErrorCode.PERMISSION_DENIED, () -> annHttp.deleteMessage(ann, bobsSticker, null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.editMessage(ann, sticker, "back again", null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> bobHttp.editMessage(bob, bobsSticker, "a caption", null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.editMessage(ann, text, "x".repeat(4001), null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.editMessage(ann, text, "   ", null));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.editMessage(ann, 99, "nothing there", null));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.deleteMessage(ann, 0, null));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.sendSticker(ann, UUID.randomUUID().toString(),
                    "cats", "../wave"));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.sendSticker(ann, UUID.randomUUID().toString(),
                    "", "wave"));
            // Sequence numbers are per couple: another couple's user names Ann's message 4 and finds nothing.
            DuetHttp otherHttp = TestCouple.http(cluster, 1, TestCouple.ANN_DEVICE);
            String other = others.ann.getToken();
            otherHttp.sendMessage(other, UUID.randomUUID().toString(), "their only message");
            expectError(ErrorCode.NOT_FOUND, () -> otherHttp.deleteMessage(other, bobsSticker, null));
            expectError(ErrorCode.NOT_FOUND, () -> otherHttp.editMessage(other, bobsText, "hijacked", null));
            assertThat(bobHttp.fetchHistory(bob, 0, 10).getMessages()).isEqualTo(now);
            Session single = TestCouple.http(cluster, 0, "single-phone")
                    .signUp(TestCouple.uniqueEmail("single"), "single's password", "Sam");
            expectError(ErrorCode.NOT_PAIRED, () -> annHttp.deleteMessage(single.getToken(), 1, null));
        }
    }

    @Test
    void aDeviceThatWasAwayResumesWithItsChangeCursorAndGetsEachEditAndDeleteItMissedOnce() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        long bobsLastSeq;
        long bobsLastChange;
        Message edited;
        Message tombstone;
        try (DuetClient annPhone = couple.connect(couple.ann, 0, annHears, 0)) {
            try (DuetClient bobPhone = couple.connect(couple.bob, 1, bobHears, 0)) {
                for (String text : List.of("one", "two", "three")) {
                    tcp(annPhone.send(text));
                }
                bobHears.awaitMessages(3, WAIT);
                // One change while Bob's phone is connected: heard live, with its number.
                Message live = tcp(annPhone.editMessage(3, "three!"));
                RecordingListener.await(WAIT, "Bob hears the live edit", () -> bobHears.changes.size() == 1);
                assertThat(bobHears.changes).containsExactly(live);
                // The cursors move once the listener returned, right after it recorded the change.
                RecordingListener.await(WAIT, "Bob's cursor passes the edit", () -> bobPhone.lastChange() == 1);
                bobsLastSeq = bobPhone.lastSeq();
                bobsLastChange = bobPhone.lastChange();
                assertThat(bobsLastSeq).isEqualTo(3);
                assertThat(bobsLastChange).isEqualTo(1);
            }
            // Bob's phone is away: Ann edits 1 and deletes 2, then sends 4 and edits it.
            edited = tcp(annPhone.editMessage(1, "one, edited"));
            // Over TCP too, a delete against a stale version is a conflict carrying the message as it is.
            long stale = edited.getVersion() - 1;
            Throwable staleDelete = catchThrowableOfType(ExecutionException.class,
                    () -> tcp(annPhone.deleteMessage(1, stale))).getCause();
            assertThat(staleDelete).as("a stale delete's conflict").isInstanceOfSatisfying(MessageConflict.class,
                    conflict -> assertThat(conflict.getCurrent()).isEqualTo(edited));
            Message two = tcp(annPhone.fetchHistory(0, 10)).getMessages().get(1);
            assertThat(two.getSeq()).isEqualTo(2);
            tombstone = tcp(annPhone.deleteMessage(2, two.getVersion()));
            long four = tcp(annPhone.send("four")).getSeq();
            tcp(annPhone.editMessage(four, "four, edited"));
        }

        // Bob's phone comes back with its last sequence and change cursor.
        RecordingListener backHears = new RecordingListener();
        long lastSeq;
        long lastChange;
        try (DuetClient bobPhone = couple.connect(couple.bob, 1, backHears, bobsLastSeq, bobsLastChange)) {
            // The missed changes come first, then message 4 as it is now (listeners hear them in that order).
            backHears.awaitMessages(1, WAIT);
            assertThat(backHears.messages).singleElement().satisfies(message -> {
                assertThat(message.getSeq()).isEqualTo(4);
                assertThat(message.getText()).isEqualTo("four, edited");
            });
            assertThat(backHears.changes).containsExactly(edited, tombstone);
            RecordingListener.await(WAIT, "Bob's cursors pass message 4", () -> bobPhone.lastSeq() == 4);
            lastSeq = bobPhone.lastSeq();
            lastChange = bobPhone.lastChange();
            assertThat(lastChange).isEqualTo(4);
        }
        // Resuming again from there: nothing is sent twice. (Bob's own message is heard after anything before it.)
        RecordingListener againHears = new RecordingListener();
        try (DuetClient again = couple.connect(couple.bob, 1, againHears, lastSeq, lastChange)) {
            tcp(again.send("five"));
            againHears.awaitMessages(1, WAIT);
            assertThat(againHears.changes).isEmpty();
            assertThat(againHears.messages).extracting(Message::getText).containsExactly("five");
        }
        // A device that has the first messages but kept no change cursor gets every kept change of them, once each
        // with its latest change, in change order: 3 (change 1), 1 (2), 2 (3); then messages 4 and 5.
        RecordingListener oldHears = new RecordingListener();
        try (DuetClient old = couple.connect(couple.bob, 1, oldHears, 3, 0)) {
            oldHears.awaitMessages(2, WAIT);
            assertThat(oldHears.changes).extracting(Message::getSeq).containsExactly(3L, 1L, 2L);
            assertThat(oldHears.changes.get(1)).isEqualTo(edited);
            RecordingListener.await(WAIT, "the change cursor at 4 (have " + old.lastChange() + ")",
                    () -> old.lastChange() == 4);
        }
    }

    private static <T> T tcp(CompletableFuture<T> call) throws Exception {
        return call.get(30, TimeUnit.SECONDS);
    }

    private static void expectError(ErrorCode code, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
