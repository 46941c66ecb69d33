package io.duet.app.space;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoDeletedEvent;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A couple's photos' metadata, as its owner holds them (the objects themselves are in S3, see {@code
 * io.duet.app.photo}). Like {@link MemoBook}: each operation says what to write ({@link Step}), and the
 * change is applied once written under the owner's fence. A photo's record is written when it is made,
 * rewritten only when the caption of its PHOTO message is edited ({@link #caption}; a newer release's fields
 * in it survive that), and deleted. Confined to the couple's executor.
 */
public final class PhotoBook {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final Pattern PHOTO_ID = Pattern.compile("[0-9a-f]{32}");
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 500;
    /** Newest first; ties by id, so that a cursor (the last photo of a page) is a total order. */
    private static final Comparator<Map.Entry<String, StoredPhoto>> NEWEST_FIRST =
            Comparator.<Map.Entry<String, StoredPhoto>>comparingLong(e -> e.getValue().getUploadedAtMillis()).reversed()
                    .thenComparing(Map.Entry::getKey);

    private final SpaceLimits limits;
    private final Map<String, StoredPhoto> photos = new HashMap<>();
    /** The fields of each stored photo that this release does not know, kept when it is rewritten. */
    private final Map<String, UnknownFields> unknown = new HashMap<>();

    public PhotoBook(SpaceLimits limits) {
        this.limits = limits;
    }

    /** Whether {@code photoId} has the form of a photo id: 32 lowercase hexadecimal digits. */
    public static boolean isPhotoId(String photoId) {
        return photoId != null && PHOTO_ID.matcher(photoId).matches();
    }

    /** Reads the stored photos; fails with {@link IllegalStateException} on one it cannot read. */
    public void load(Map<String, byte[]> cells) {
        photos.clear();
        unknown.clear();
        cells.forEach((id, bytes) -> {
            UnknownFields fields = new UnknownFields();
            photos.put(id, decode(id, bytes, fields));
            unknown.put(id, fields);
        });
    }

    public boolean contains(String photoId) {
        return photos.containsKey(photoId);
    }

    /** Fails with LIMIT_REACHED when the couple keeps as many photos as it may; checked before the work. */
    public Step<Void> checkRoom() throws DuetError {
        if (photos.size() >= limits.maxPhotos) {
            throw ApiErrors.of(ErrorCode.LIMIT_REACHED, "the couple has " + photos.size()
                    + " photos, the most it may keep; delete one first");
        }
        return Step.done(null);
    }

    /**
     * For finishing an upload: the photo already made from it (a retry), or null when the couple has room
     * for a new one; LIMIT_REACHED when it has none.
     */
    public Step<Photo> madeOrRoom(String photoId) throws DuetError {
        StoredPhoto made = isPhotoId(photoId) ? photos.get(photoId) : null;
        if (made != null) {
            return Step.done(toPhoto(photoId, made));
        }
        checkRoom();
        return Step.done(null);
    }

    /** Stores a new photo's metadata (its objects are already in S3). */
    public Step<Photo> add(String photoId, StoredPhoto photo) throws DuetError {
        checkRoom();
        if (photos.containsKey(photoId)) {
            throw ApiErrors.of(ErrorCode.ALREADY_EXISTS, "photo " + photoId + " exists");
        }
        byte[] bytes = CODEC.encode(photo);
        return Step.write(SpaceStore.photoQualifier(photoId), bytes, () -> photos.put(photoId, photo),
                toPhoto(photoId, photo), null);
    }

    /**
     * The caption of the photo's PHOTO message was edited to {@code caption}: the photo's metadata takes it
     * (empty: no caption). Nothing to write for a photo deleted meanwhile, or one with that caption already.
     */
    public Step<Void> caption(String photoId, String caption, long fence) {
        StoredPhoto photo = isPhotoId(photoId) ? photos.get(photoId) : null;
        String now = caption == null || caption.isEmpty() ? null : caption;
        if (photo == null || Objects.equals(photo.getCaption(), now)) {
            return Step.done(null);
        }
        UnknownFields fields = unknown.getOrDefault(photoId, new UnknownFields());
        StoredPhoto changed = photo.deepCopy().setCaption(now).setFence(fence);
        fields.carry(photo, changed);
        byte[] bytes = CODEC.encodeKeepingUnknown(changed, fields);
        return Step.write(SpaceStore.photoQualifier(photoId), bytes, () -> {
            // Read back as stored, so that the next rewrite starts from it (and no stale struct stays behind).
            UnknownFields written = new UnknownFields();
            photos.put(photoId, decode(photoId, bytes, written));
            unknown.put(photoId, written);
        }, null, null);
    }

    /** The photo as stored, with its object keys; NOT_FOUND when it is not this couple's. */
    public StoredPhoto stored(String photoId) throws DuetError {
        StoredPhoto photo = isPhotoId(photoId) ? photos.get(photoId) : null;
        if (photo == null) {
            throw ApiErrors.of(ErrorCode.NOT_FOUND, "no photo " + photoId);
        }
        return photo.deepCopy();
    }

    /** The photo as stored, as a step (a read). */
    public Step<StoredPhoto> find(String photoId) throws DuetError {
        return Step.done(stored(photoId));
    }

    /** Those of {@code photoIds} that are this couple's photos, as stored, by id (a read). */
    public Step<Map<String, StoredPhoto>> findAll(Collection<String> photoIds) {
        Map<String, StoredPhoto> found = new HashMap<>();
        for (String photoId : photoIds) {
            StoredPhoto photo = isPhotoId(photoId) ? photos.get(photoId) : null;
            if (photo != null) {
                found.putIfAbsent(photoId, photo.deepCopy());
            }
        }
        return Step.done(found);
    }

    public Step<Photo> get(String photoId) throws DuetError {
        return Step.done(toPhoto(photoId, stored(photoId)));
    }

    /**
     * Forgets the photo (its objects are deleted first, by the caller), and tells the couple's sessions;
     * NOT_FOUND if it is gone already.
     */
    public Step<StoredPhoto> remove(String photoId, long userId) throws DuetError {
        StoredPhoto photo = stored(photoId);
        return Step.write(SpaceStore.photoQualifier(photoId), null, () -> {
            photos.remove(photoId);
            unknown.remove(photoId);
        }, photo,
                Event.photoDeleted(new PhotoDeletedEvent(photoId, userId)));
    }

    /** Up to {@code limit} photos, newest first, after the one named by {@code cursor} (null: from the newest). */
    public Step<PhotoList> list(int limit, String cursor) throws DuetError {
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiErrors.invalidArgument("limit: " + limit + " (expected: 1 to " + MAX_PAGE + ")");
        }
        List<Map.Entry<String, StoredPhoto>> all = new ArrayList<>(photos.size());
        photos.forEach((id, photo) -> all.add(Map.entry(id, photo)));
        all.sort(NEWEST_FIRST);
        int from = 0;
        if (cursor != null) {
            StoredPhoto after = isPhotoId(cursor) ? photos.get(cursor) : null;
            if (after == null) {
                throw ApiErrors.invalidArgument("cursor: not a photo of this couple (deleted since?); list from the newest");
            }
            Map.Entry<String, StoredPhoto> key = Map.entry(cursor, after);
            while (from < all.size() && NEWEST_FIRST.compare(all.get(from), key) <= 0) {
                from++;
            }
        }
        int to = Math.min(all.size(), from + limit);
        List<Photo> page = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            page.add(toPhoto(all.get(i).getKey(), all.get(i).getValue()));
        }
        PhotoList list = new PhotoList(page);
        if (to < all.size()) {
            list.setNextCursor(all.get(to - 1).getKey());
        }
        return Step.done(list);
    }

    public int size() {
        return photos.size();
    }

    static Photo toPhoto(String photoId, StoredPhoto photo) {
        Photo result = new Photo().setPhotoId(photoId).setWidth(photo.getWidth()).setHeight(photo.getHeight())
                .setUploadedBy(photo.getUploadedBy()).setUploadedAtMillis(photo.getUploadedAtMillis())
                .setContentType(photo.getContentType()).setSizeBytes(photo.getSizeBytes());
        if (photo.isSetTakenAtMillis()) {
            result.setTakenAtMillis(photo.getTakenAtMillis());
        }
        if (photo.isSetCaption()) {
            result.setCaption(photo.getCaption());
        }
        return result;
    }

    private static StoredPhoto decode(String photoId, byte[] bytes, UnknownFields unknown) {
        try {
            return CODEC.decodeKeepingUnknown(bytes, new StoredPhoto(), unknown);
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("unreadable photo " + photoId + " in HBase", e);
        }
    }
}
