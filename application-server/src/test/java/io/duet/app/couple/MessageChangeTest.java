package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.storage.StoredMessage;
import org.junit.jupiter.api.Test;

class MessageChangeTest {
    private static final long ANN = 1;
    private static final long BOB = 2;

    private static StoredMessage text(long sender, String text) {
        return new StoredMessage().setClientMessageId("c1").setSenderId(sender).setSenderDeviceId("phone")
                .setSentAtMillis(1000).setKind(MessageKind.TEXT.getValue()).setText(text).setFence(7);
    }

    private static StoredMessage photo(long sender) {
        return text(sender, "caption").setKind(MessageKind.PHOTO.getValue()).setPhotoId("ab".repeat(16));
    }

    private static StoredMessage sticker(long sender) {
        return text(sender, "").setKind(MessageKind.STICKER.getValue()).setStickerPackId("cats").setStickerId("wave");
    }

    private static ErrorCode code(Throwable thrown) {
        assertThat(thrown).isInstanceOf(DuetError.class);
        return ((DuetError) thrown).getCode();
    }

    @Test
    void stickersAreNamedByShortIdsOfASmallAlphabet() {
        assertThat(MessageChange.stickerProblem(new StickerRef("cats-2024", "wave_1.v2"))).isNull();
        assertThat(MessageChange.stickerProblem(new StickerRef("p".repeat(64), "s".repeat(64)))).isNull();
        assertThat(MessageChange.stickerProblem(new StickerRef("p".repeat(65), "s"))).contains("packId");
        assertThat(MessageChange.stickerProblem(new StickerRef("", "s"))).contains("packId");
        assertThat(MessageChange.stickerProblem(new StickerRef(null, "s"))).contains("packId");
        assertThat(MessageChange.stickerProblem(new StickerRef("cats", "../etc"))).contains("stickerId");
        assertThat(MessageChange.stickerProblem(new StickerRef("cats", "wave\n"))).contains("stickerId");
        assertThat(MessageChange.stickerProblem(new StickerRef("cats", "고양이"))).contains("stickerId");
        assertThat(MessageChange.stickerProblem(new StickerRef("cats", null))).contains("stickerId");
    }

    @Test
    void anEditReplacesTheTextRaisesTheVersionAndKeepsTheRest() throws Exception {
        StoredMessage edited = MessageChange.edit(5, text(ANN, "helo"), ANN, "hello", null, 2000, 9);
        assertThat(edited.getText()).isEqualTo("hello");
        assertThat(edited.getVersion()).isEqualTo(1);
        assertThat(edited.getEditedAtMillis()).isEqualTo(2000);
        assertThat(edited.getChangeFence()).isEqualTo(9);
        assertThat(edited.getFence()).as("the commit's fence stays").isEqualTo(7);
        assertThat(edited.getSentAtMillis()).isEqualTo(1000);

        Message shown = CoupleStore.toMessage(5, MessageChange.edit(5, edited, ANN, "hello!", 1L, 3000, 9));
        assertThat(shown.getVersion()).isEqualTo(2);
        assertThat(shown.getText()).isEqualTo("hello!");
        assertThat(shown.getKind()).isEqualTo(MessageKind.TEXT);
        assertThat(shown.isDeleted()).isFalse();
    }

    @Test
    void aPhotoCaptionMayBeEditedToNothingButATextMayNot() throws Exception {
        StoredMessage photo = MessageChange.edit(5, photo(ANN), ANN, "", null, 2000, 9);
        assertThat(photo.getText()).isEmpty();
        assertThat(photo.getPhotoId()).isEqualTo("ab".repeat(16));
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, text(ANN, "a"), ANN, "  ", null, 2000, 9))))
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        // A caption is as long as an upload's may be: the photo takes it too.
        assertThat(MessageChange.edit(5, photo(ANN), ANN, "c".repeat(1000), null, 2000, 9).getText()).hasSize(1000);
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, photo(ANN), ANN, "c".repeat(1001), null, 2000, 9))))
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void onlyTheSenderChangesAMessage() {
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, text(ANN, "a"), BOB, "b", null, 2000, 9))))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(catchThrowable(() -> MessageChange.delete(5, text(ANN, "a"), BOB, null, 2000, 9))))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void stickersAndKindsThisServerDoesNotKnowHaveNoTextToEdit() {
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, sticker(ANN), ANN, "b", null, 2000, 9))))
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, text(ANN, "a").setKind(42), ANN, "b", null, 2000, 9))))
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void aStaleExpectedVersionIsAConflictCarryingTheMessageAsItIs() throws Exception {
        StoredMessage edited = MessageChange.edit(5, text(ANN, "a"), ANN, "b", 0L, 2000, 9);
        Throwable conflict = catchThrowable(() -> MessageChange.edit(5, edited, ANN, "c", 0L, 3000, 9));
        assertThat(conflict).isInstanceOf(MessageConflict.class);
        Message current = ((MessageConflict) conflict).getCurrent();
        assertThat(current.getSeq()).isEqualTo(5);
        assertThat(current.getVersion()).isEqualTo(1);
        assertThat(current.getText()).isEqualTo("b");
        assertThat(catchThrowable(() -> MessageChange.delete(5, edited, ANN, 0L, 3000, 9)))
                .isInstanceOf(MessageConflict.class);
    }

    @Test
    void aDeleteLeavesATombstoneThatShowsNothingOfTheMessage() throws Exception {
        for (StoredMessage stored : new StoredMessage[] {text(ANN, "secret"), photo(ANN), sticker(ANN)}) {
            StoredMessage tombstone = MessageChange.delete(5, stored, ANN, null, 2000, 9);
            Message shown = CoupleStore.toMessage(5, tombstone);
            assertThat(shown.isDeleted()).isTrue();
            assertThat(shown.getDeletedAtMillis()).isEqualTo(2000);
            assertThat(shown.getVersion()).isEqualTo(1);
            assertThat(shown.getSeq()).isEqualTo(5);
            assertThat(shown.getSenderId()).isEqualTo(ANN);
            assertThat(shown.getSentAtMillis()).isEqualTo(1000);
            assertThat(shown.isSetKind()).isFalse();
            assertThat(shown.isSetText()).isFalse();
            assertThat(shown.isSetPhotoId()).isFalse();
            assertThat(shown.isSetSticker()).isFalse();
            assertThat(tombstone.isSetText() || tombstone.isSetPhotoId() || tombstone.isSetStickerId()).isFalse();
        }
    }

    @Test
    void aTombstoneShowsOnlyItsOwnFieldsWhateverElseItKeeps() {
        // A newer release's delete may have kept content this release knows nothing of; whatever a
        // tombstone holds, it shows none of it.
        Message shown = CoupleStore.toMessage(5, text(ANN, "left behind").setDeleted(true).setDeletedAtMillis(2000));
        assertThat(shown.isDeleted()).isTrue();
        assertThat(shown.isSetText()).isFalse();
    }

    @Test
    void deletingATombstoneAgainChangesNothingAndATombstoneCannotBeEdited() throws Exception {
        StoredMessage tombstone = MessageChange.delete(5, text(ANN, "a"), ANN, null, 2000, 9);
        assertThat(MessageChange.delete(5, tombstone, ANN, 0L, 3000, 9)).isNull();
        assertThat(code(catchThrowable(() -> MessageChange.edit(5, tombstone, ANN, "back", null, 3000, 9))))
                .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void storedStickersShowAsStickerMessages() {
        Message shown = CoupleStore.toMessage(3, sticker(BOB));
        assertThat(shown.getKind()).isEqualTo(MessageKind.STICKER);
        assertThat(shown.getSticker()).isEqualTo(new StickerRef("cats", "wave"));
        assertThat(shown.getVersion()).isZero();
        assertThat(shown.isSetEditedAtMillis()).isFalse();
    }
}
