package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PhotoMigrationTest {
    private static String id(int n) {
        return String.format("%032x", n);
    }

    private static byte[] record(long uploadedAt) {
        return ThriftCodec.INTERNAL.encode(new StoredPhoto().setUploadedAtMillis(uploadedAt).setObjectKeys(Map.of()));
    }

    @Test
    void aBatchCopiesAndCountsOnlyThePhotosTheTableDoesNotHaveYet() {
        Map<String, byte[]> old = new LinkedHashMap<>();
        old.put(id(1), record(10));
        old.put(id(2), record(20));
        old.put(id(3), record(30));

        PhotoMigration.Plan first = PhotoMigration.plan(7, old, Set.of(), 100);
        assertThat(first.added()).extracting(PhotoMigration.Moved::photoId).containsExactly(id(1), id(2), id(3));
        assertThat(first.added()).extracting(PhotoMigration.Moved::uploadedAtMillis).containsExactly(10L, 20L, 30L);
        assertThat(first.added().get(1).record()).isSameAs(old.get(id(2)));
        assertThat(first.countAfter()).isEqualTo(103);

        // The same batch again after a crash between the copy and the delete: nothing copied or counted twice.
        PhotoMigration.Plan again = PhotoMigration.plan(7, old, Set.of(id(1), id(2), id(3)), 103);
        assertThat(again.added()).isEmpty();
        assertThat(again.countAfter()).isEqualTo(103);

        PhotoMigration.Plan half = PhotoMigration.plan(7, old, Set.of(id(2)), 101);
        assertThat(half.added()).extracting(PhotoMigration.Moved::photoId).containsExactly(id(1), id(3));
        assertThat(half.countAfter()).isEqualTo(103);
    }

    @Test
    void anUnreadableOldRecordStopsTheMoveRatherThanLosingThePhotosOrder() {
        Map<String, byte[]> old = Map.of(id(1), new byte[] {(byte) 0xff, 1, 2});
        assertThatThrownBy(() -> PhotoMigration.plan(7, old, Set.of(), 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unreadable photo " + id(1) + " in the row of couple 7");
    }
}
