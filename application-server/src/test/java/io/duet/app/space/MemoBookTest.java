package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoConflict;
import io.duet.protocol.storage.StoredMemo;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoBookTest {
    private static final long ANN = 11;
    private static final long BOB = 22;
    private static final long FENCE = 5L << 20;

    private final MemoBook book = new MemoBook(SpaceLimits.builder().maxMemos(2).maxMemoChars(10).build());

    /** Runs a step as the couple's space does once its write succeeded. */
    private static <T> T written(Step<T> step) {
        assertThat(step.writes()).isTrue();
        step.apply();
        return step.result();
    }

    private Memo create(long id, String text) throws Exception {
        return written(book.create(ANN, new CreateMemoRequest("title", text), id, 1000, FENCE));
    }

    @Test
    void anEditNamingTheCurrentVersionRaisesItAndAStaleOneConflictsWithTheCurrentMemo() throws Exception {
        Memo created = create(1, "milk");
        assertThat(created.getVersion()).isEqualTo(1);

        // Both partners edit version 1: Bob's lands first, Ann's is refused with what Bob wrote.
        Memo bobs = written(book.edit(BOB, new EditMemoRequest(1, 1).setText("eggs"), 2000, FENCE));
        assertThat(bobs.getVersion()).isEqualTo(2);
        assertThat(bobs.getUpdatedBy()).isEqualTo(BOB);
        assertThat(bobs.getCreatedBy()).isEqualTo(ANN);
        assertThatThrownBy(() -> book.edit(ANN, new EditMemoRequest(1, 1).setText("bread"), 3000, FENCE))
                .isInstanceOfSatisfying(MemoConflict.class, conflict -> {
                    assertThat(conflict.getCurrent().getVersion()).isEqualTo(2);
                    assertThat(conflict.getCurrent().getText()).isEqualTo("eggs");
                });

        // Ann merges onto version 2.
        Memo merged = written(book.edit(ANN, new EditMemoRequest(1, 2).setText("eggs+bread"), 3000, FENCE));
        assertThat(merged.getVersion()).isEqualTo(3);
        assertThat(merged.getTitle()).isEqualTo("title");
        assertThat(book.get(1).result()).isEqualTo(merged);
    }

    @Test
    void aDeleteNeedsTheCurrentVersionAndThenTheMemoIsNotFound() throws Exception {
        create(1, "milk");
        written(book.edit(BOB, new EditMemoRequest(1, 1).setTitle("list"), 2000, FENCE));
        assertThatThrownBy(() -> book.delete(ANN, new DeleteMemoRequest(1, 1))).isInstanceOf(MemoConflict.class);
        Step<?> delete = book.delete(ANN, new DeleteMemoRequest(1, 2));
        assertThat(delete.value()).isNull();
        assertThat(delete.qualifier()).isEqualTo(SpaceStore.memoQualifier(1));
        written(delete);
        assertThat(book.contains(1)).isFalse();
        assertThatThrownBy(() -> book.get(1)).isInstanceOfSatisfying(DuetError.class,
                error -> assertThat(error.getCode()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> book.edit(ANN, new EditMemoRequest(1, 2).setText("x"), 0, FENCE))
                .isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> book.delete(ANN, new DeleteMemoRequest(99, 1)))
                .isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void nothingIsChangedBeforeTheWriteIsApplied() throws Exception {
        create(1, "milk");
        book.edit(BOB, new EditMemoRequest(1, 1).setText("eggs"), 2000, FENCE); // its write failed: never applied
        assertThat(book.get(1).result().getVersion()).isEqualTo(1);
        assertThat(book.get(1).result().getText()).isEqualTo("milk");
    }

    @Test
    void limitsGiveTypedErrors() throws Exception {
        create(1, "a");
        create(2, "b");
        assertThatThrownBy(() -> create(3, "c")).isInstanceOfSatisfying(DuetError.class,
                error -> assertThat(error.getCode()).isEqualTo(ErrorCode.LIMIT_REACHED));
        assertThatThrownBy(() -> book.edit(ANN, new EditMemoRequest(1, 1).setText("01234567890"), 0, FENCE))
                .isInstanceOfSatisfying(DuetError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> book.edit(ANN, new EditMemoRequest(1, 1), 0, FENCE))
                .isInstanceOfSatisfying(DuetError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        written(book.delete(ANN, new DeleteMemoRequest(2, 1)));
        create(3, "c");
    }

    @Test
    void aRetriedCreateReturnsTheMemoItsFirstAttemptMadeWithoutWriting() throws Exception {
        CreateMemoRequest request = new CreateMemoRequest("title", "milk").setClientMemoId("c-1");
        Memo created = written(book.create(ANN, request, 1, 1000, FENCE));
        assertThat(created.getClientMemoId()).isEqualTo("c-1");

        Step<Memo> retry = book.create(ANN, request, 2, 1500, FENCE);
        assertThat(retry.writes()).isFalse();
        assertThat(retry.result()).isEqualTo(created);
        assertThat(book.contains(2)).isFalse();

        // The retry returns the memo as it is now, and finds it even at the couple's limit (2 here).
        Memo edited = written(book.edit(BOB, new EditMemoRequest(1, 1).setText("eggs"), 2000, FENCE));
        written(book.create(ANN, new CreateMemoRequest("other", ""), 3, 2500, FENCE));
        Step<Memo> late = book.create(ANN, request.deepCopy().setText("changed on the way"), 4, 3000, FENCE);
        assertThat(late.writes()).isFalse();
        assertThat(late.result()).isEqualTo(edited);

        // The id is the creator's own: the partner's create with the same id is another memo.
        written(book.delete(ANN, new DeleteMemoRequest(3, 1)));
        Memo bobs = written(book.create(BOB, request, 5, 3500, FENCE));
        assertThat(bobs.getMemoId()).isEqualTo(5);
        assertThat(bobs.getCreatedBy()).isEqualTo(BOB);
    }

    @Test
    void theClientMemoIdSurvivesAReloadAndADeletedMemoIsCreatedAgain() throws Exception {
        CreateMemoRequest request = new CreateMemoRequest("title", "milk").setClientMemoId("c-1");
        Step<Memo> create = book.create(ANN, request, 1, 1000, FENCE);
        written(create);
        book.load(Map.of(1L, create.value()));
        assertThat(book.create(ANN, request, 2, 2000, FENCE).writes()).isFalse();

        written(book.delete(ANN, new DeleteMemoRequest(1, 1)));
        assertThat(written(book.create(ANN, request, 2, 3000, FENCE)).getMemoId()).isEqualTo(2);
    }

    @Test
    void aClientMemoIdIsOneTo128Characters() throws Exception {
        for (String bad : new String[] {"", "x".repeat(129)}) {
            assertThatThrownBy(() -> book.create(ANN, new CreateMemoRequest("t", "").setClientMemoId(bad), 1, 0, FENCE))
                    .isInstanceOfSatisfying(DuetError.class,
                            error -> assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        assertThat(written(book.create(ANN, new CreateMemoRequest("t", "").setClientMemoId("x".repeat(128)), 1, 0,
                FENCE)).getMemoId()).isEqualTo(1);
    }

    @Test
    void listIsMostRecentlyChangedFirst() throws Exception {
        create(1, "a");
        written(book.create(ANN, new CreateMemoRequest("t", "b"), 2, 2000, FENCE));
        assertThat(book.list().result().getMemos()).extracting(Memo::getMemoId).containsExactly(2L, 1L);
        written(book.edit(BOB, new EditMemoRequest(1, 1).setText("a2"), 3000, FENCE));
        assertThat(book.list().result().getMemos()).extracting(Memo::getMemoId).containsExactly(1L, 2L);
    }

    @Test
    void anEditKeepsTheFieldsANewerReleaseWrote() throws Exception {
        byte[] stored = ThriftCodec.INTERNAL.encode(new StoredMemo().setTitle("t").setText("old").setVersion(4)
                .setCreatedBy(ANN).setUpdatedBy(ANN));
        // A field 40 this release does not know: a string, in the compact protocol (header 0x08 then id 40,
        // then length 3 and the bytes), put before the struct's stop byte.
        byte[] unknown = {0x08, 0x50, 0x03, 'z', 'q', '9'};
        byte[] newer = Arrays.copyOf(stored, stored.length + unknown.length);
        System.arraycopy(unknown, 0, newer, stored.length - 1, unknown.length);
        newer[newer.length - 1] = 0;
        book.load(Map.of(7L, newer));

        Step<Memo> edit = book.edit(BOB, new EditMemoRequest(7, 4).setText("new text"), 5000, FENCE);

        byte[] rewritten = edit.value();
        assertThat(indexOf(rewritten, new byte[] {'z', 'q', '9'})).isNotNegative();
        StoredMemo decoded = ThriftCodec.INTERNAL.decode(rewritten, new StoredMemo());
        assertThat(decoded.getText()).isEqualTo("new text");
        assertThat(decoded.getVersion()).isEqualTo(5);
        assertThat(decoded.getFence()).isEqualTo(FENCE);
        // And the rewritten memo still carries it after a reload and a second edit.
        book.load(Map.of(7L, rewritten));
        assertThat(indexOf(book.edit(ANN, new EditMemoRequest(7, 5).setTitle("x"), 6000, FENCE).value(),
                new byte[] {'z', 'q', '9'})).isNotNegative();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
