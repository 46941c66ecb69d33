package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.storage.StoredNicknames;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NicknameBookTest {
    private static final long ANN = 11;
    private static final long BOB = 22;
    private static final long FENCE = 5L << 20;

    private final NicknameBook book = new NicknameBook();

    @Test
    void eachPartnerSeesTheNicknameTheyGaveAndTheOneTheyGotOnceWritten() throws Exception {
        Step<CoupleProfile> set = book.set(ANN, BOB, "Bobby", "2020-02-02", FENCE);
        assertThat(set.writes()).isTrue();
        assertThat(set.qualifier()).isEqualTo(SpaceStore.nicknamesQualifier());
        assertThat(set.result().getPartnerNickname()).isEqualTo("Bobby");
        assertThat(set.result().getStartDate()).isEqualTo("2020-02-02");
        assertThat(set.event().getNicknameChanged().getChangedBy()).isEqualTo(ANN);
        assertThat(set.event().getNicknameChanged().getNickname()).isEqualTo("Bobby");
        // Not applied until written.
        assertThat(book.nicknameBy(ANN)).isNull();
        set.apply();

        CoupleProfile bobSees = book.get(BOB, ANN, null).result();
        assertThat(bobSees.getMyNickname()).isEqualTo("Bobby");
        assertThat(bobSees.isSetPartnerNickname()).isFalse();
        assertThat(bobSees.isSetStartDate()).isFalse();
        assertThat(bobSees.getMe().getUserId()).isEqualTo(BOB);
        assertThat(bobSees.getPartner().getUserId()).isEqualTo(ANN);
        book.set(BOB, ANN, "Annie", null, FENCE).apply();
        assertThat(book.get(ANN, BOB, null).result().getMyNickname()).isEqualTo("Annie");

        // Cleared by setting none; the partner's stays.
        Step<CoupleProfile> cleared = book.set(ANN, BOB, null, null, FENCE);
        assertThat(cleared.event().getNicknameChanged().isSetNickname()).isFalse();
        cleared.apply();
        assertThat(book.nicknameBy(ANN)).isNull();
        assertThat(book.nicknameBy(BOB)).isEqualTo("Annie");

        // What was written loads back.
        NicknameBook loaded = new NicknameBook();
        loaded.load(cleared.value());
        assertThat(loaded.nicknameBy(BOB)).isEqualTo("Annie");
        assertThat(ThriftCodec.INTERNAL.decode(cleared.value(), new StoredNicknames()).getFence()).isEqualTo(FENCE);
    }

    @Test
    void blankOrLongNicknamesAreRefused() {
        for (String bad : new String[] {"", "   ", "x".repeat(NicknameBook.MAX_NICKNAME_CHARS + 1)}) {
            assertThatThrownBy(() -> book.set(ANN, BOB, bad, null, FENCE)).isInstanceOfSatisfying(DuetError.class,
                    e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        assertThat(book.nicknameBy(ANN)).isNull();
    }

    @Test
    void aChangeKeepsTheFieldsANewerReleaseWrote() throws Exception {
        byte[] stored = ThriftCodec.INTERNAL.encode(new StoredNicknames().setNicknames(Map.of(BOB, "Annie")));
        // A string field 40 this release does not know (compact protocol), before the struct's stop byte.
        byte[] unknown = {0x08, 0x50, 0x03, 'z', 'q', '9'};
        byte[] newer = Arrays.copyOf(stored, stored.length + unknown.length);
        System.arraycopy(unknown, 0, newer, stored.length - 1, unknown.length);
        newer[newer.length - 1] = 0;
        book.load(newer);

        byte[] rewritten = book.set(ANN, BOB, "Bobby", null, FENCE).value();

        assertThat(new String(rewritten, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("zq9");
        StoredNicknames decoded = ThriftCodec.INTERNAL.decode(rewritten, new StoredNicknames());
        assertThat(decoded.getNicknames()).containsEntry(ANN, "Bobby").containsEntry(BOB, "Annie");
    }
}
