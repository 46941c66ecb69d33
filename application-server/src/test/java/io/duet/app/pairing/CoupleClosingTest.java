package io.duet.app.pairing;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.SpaceStore;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoupleClosingTest {
    @Test
    void everyVariantOfEveryPhotoIsAnObjectToDelete() {
        SpaceStore.Cells cells = new SpaceStore.Cells();
        cells.photos().put("a".repeat(32), ThriftCodec.INTERNAL.encode(new StoredPhoto()
                .setObjectKeys(Map.of(1, "photos/full-a", 2, "photos/screen-a", 3, "photos/thumb-a"))));
        cells.photos().put("b".repeat(32), ThriftCodec.INTERNAL.encode(new StoredPhoto()
                .setObjectKeys(Map.of(1, "photos/full-b"))));

        assertThat(CoupleClosing.objectKeys(7, cells)).containsExactlyInAnyOrder("photos/full-a", "photos/screen-a",
                "photos/thumb-a", "photos/full-b");
        assertThat(CoupleClosing.objectKeys(7, new SpaceStore.Cells())).isEmpty();
    }
}
