package io.duet.app.pairing;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoupleClosingTest {
    @Test
    void everyVariantOfEveryPhotoIsAnObjectToDelete() {
        Map<String, byte[]> cells = new LinkedHashMap<>();
        cells.put("a".repeat(32), ThriftCodec.INTERNAL.encode(new StoredPhoto()
                .setObjectKeys(Map.of(1, "photos/full-a", 2, "photos/screen-a", 3, "photos/thumb-a"))));
        cells.put("b".repeat(32), ThriftCodec.INTERNAL.encode(new StoredPhoto()
                .setObjectKeys(Map.of(1, "photos/full-b"))));

        assertThat(CoupleClosing.objectKeys(7, cells)).containsExactlyInAnyOrder("photos/full-a", "photos/screen-a",
                "photos/thumb-a", "photos/full-b");
        assertThat(CoupleClosing.objectKeys(7, Map.of())).isEmpty();
    }
}
