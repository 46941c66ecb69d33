package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhotoBookTest {
    private final PhotoBook book = new PhotoBook(SpaceLimits.builder().maxPhotos(3).build());

    private static String id(int n) {
        return String.format("%032x", n);
    }

    private static StoredPhoto photo(long uploadedAt) {
        return new StoredPhoto().setWidth(40).setHeight(30).setUploadedBy(11).setUploadedAtMillis(uploadedAt)
                .setContentType("image/jpeg").setSizeBytes(1234).setObjectKeys(Map.of(1, "photos/k" + uploadedAt));
    }

    private Photo add(int n, long uploadedAt) throws DuetError {
        Step<Photo> step = book.add(id(n), photo(uploadedAt));
        assertThat(step.writes()).isTrue();
        step.apply();
        return step.result();
    }

    @Test
    void photosAreListedNewestFirstInPages() throws Exception {
        add(1, 100);
        add(2, 300);
        add(3, 200);

        PhotoList first = book.list(2, null).result();
        assertThat(first.getPhotos()).extracting(Photo::getPhotoId).containsExactly(id(2), id(3));
        assertThat(first.getNextCursor()).isEqualTo(id(3));
        PhotoList second = book.list(2, first.getNextCursor()).result();
        assertThat(second.getPhotos()).extracting(Photo::getPhotoId).containsExactly(id(1));
        assertThat(second.isSetNextCursor()).isFalse();
    }

    @Test
    void aCoupleKeepsAtMostItsLimitOfPhotos() throws Exception {
        add(1, 1);
        add(2, 2);
        add(3, 3);
        assertThatThrownBy(book::checkRoom).isInstanceOfSatisfying(DuetError.class,
                e -> assertThat(e.getCode()).isEqualTo(ErrorCode.LIMIT_REACHED));
    }

    @Test
    void finishingAnUploadAgainFindsThePhotoItMade() throws Exception {
        assertThat(book.madeOrRoom(id(1)).result()).isNull();
        Photo made = add(1, 1);
        assertThat(book.madeOrRoom(id(1)).result()).isEqualTo(made);
        add(2, 2);
        add(3, 3);
        assertThat(book.madeOrRoom(id(3)).result()).isNotNull();
        assertThatThrownBy(() -> book.madeOrRoom(id(4))).isInstanceOfSatisfying(DuetError.class,
                e -> assertThat(e.getCode()).isEqualTo(ErrorCode.LIMIT_REACHED));
    }

    @Test
    void anUnknownOrMalformedPhotoIdIsNotFound() throws Exception {
        add(1, 1);
        for (String unknown : List.of(id(9), "not-an-id", "", "../" + id(1))) {
            assertThatThrownBy(() -> book.get(unknown)).isInstanceOfSatisfying(DuetError.class,
                    e -> assertThat(e.getCode()).isEqualTo(ErrorCode.NOT_FOUND));
        }
        assertThatThrownBy(() -> book.get(null)).isInstanceOf(DuetError.class);
    }

    @Test
    void removedPhotosAreGoneAndStoredOnesLoadBack() throws Exception {
        add(1, 1);
        add(2, 2);
        Step<StoredPhoto> removed = book.remove(id(1), 7);
        assertThat(removed.value()).isNull();
        assertThat(removed.event().getPhotoDeleted().getPhotoId()).isEqualTo(id(1));
        assertThat(removed.event().getPhotoDeleted().getDeletedBy()).isEqualTo(7);
        removed.apply();
        assertThat(book.contains(id(1))).isFalse();

        PhotoBook loaded = new PhotoBook(SpaceLimits.defaults());
        loaded.load(Map.of(id(2), ThriftCodec.INTERNAL.encode(photo(2))));
        assertThat(loaded.get(id(2)).result().getUploadedAtMillis()).isEqualTo(2);
        List<String> ids = new ArrayList<>();
        loaded.list(PhotoBook.MAX_PAGE, null).result().getPhotos().forEach(p -> ids.add(p.getPhotoId()));
        assertThat(ids).containsExactly(id(2));
    }

    @Test
    void editingThePhotoMessagesCaptionRewritesThePhotosCaptionKeepingFieldsItDoesNotKnow() throws Exception {
        // As a newer release would store it: a field this release does not know (id 99, a string).
        byte[] known = ThriftCodec.INTERNAL.encode(photo(1).setCaption("old"));
        byte[] stored = new byte[known.length + 5];
        System.arraycopy(known, 0, stored, 0, known.length - 1);
        byte[] unknownField = {(byte) 0x08, (byte) 0xc6, 0x01, 0x01, 'x'}; // compact: binary, field 99, length 1
        System.arraycopy(unknownField, 0, stored, known.length - 1, unknownField.length);
        stored[stored.length - 1] = 0; // stop
        book.load(Map.of(id(1), stored));

        Step<Void> step = book.caption(id(1), "new caption", 42);
        assertThat(step.writes()).isTrue();
        step.apply();

        assertThat(book.get(id(1)).result().getCaption()).isEqualTo("new caption");
        StoredPhoto written = ThriftCodec.INTERNAL.decode(step.value(), new StoredPhoto());
        assertThat(written.getCaption()).isEqualTo("new caption");
        assertThat(written.getFence()).isEqualTo(42);
        assertThat(step.value()).endsWith((byte) 0x01, (byte) 'x', (byte) 0);
        // An empty caption removes it; the same caption again, or a deleted photo, writes nothing.
        Step<Void> cleared = book.caption(id(1), "", 42);
        cleared.apply();
        assertThat(book.get(id(1)).result().isSetCaption()).isFalse();
        assertThat(book.caption(id(1), "", 42).writes()).isFalse();
        assertThat(book.caption(id(2), "gone", 42).writes()).isFalse();
    }
}
