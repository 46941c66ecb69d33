package io.duet.app.space;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.PhotoMigration;
import io.duet.app.storage.PhotoStore;
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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * A couple's photos' metadata (the objects themselves are in S3, see {@code io.duet.app.photo}), in the
 * photos table ({@link PhotoStore}): read row by row as calls need them, never all at once, so a couple of
 * any number of photos costs the same per call. Only the count is held in memory.
 *
 * <p>The first photo call of a load claims the couple's photo rows with the owner's fence and moves the
 * photos an older release kept in the couple row to the table ({@link PhotoMigration}); every call waits for
 * that. Like {@link MemoBook}, each operation says what to read and write ({@link Step}) and the change is
 * applied once written under the owner's fence. A photo's record is written when it is made, rewritten
 * only when the caption of its PHOTO message is edited ({@link #caption}; a newer release's fields in it
 * survive that), and deleted. Confined to the couple's executor.
 */
public final class PhotoBook {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final Pattern PHOTO_ID = Pattern.compile("[0-9a-f]{32}");
    public static final int DEFAULT_PAGE = 100;
    public static final int MAX_PAGE = 500;

    private final long coupleId;
    private final PhotoStore store;
    private final PhotoMigration migration;
    private final SpaceLimits limits;
    private final LongSupplier fence;
    // Confined to the couple's executor.
    private boolean loaded;
    private long count;

    /** {@code fence}: the owner's fence, once the couple is claimed. */
    public PhotoBook(long coupleId, PhotoStore store, PhotoMigration migration, SpaceLimits limits, LongSupplier fence) {
        this.coupleId = coupleId;
        this.store = store;
        this.migration = migration;
        this.limits = limits;
        this.fence = fence;
    }

    /** Whether {@code photoId} has the form of a photo id: 32 lowercase hexadecimal digits. */
    public static boolean isPhotoId(String photoId) {
        return photoId != null && PHOTO_ID.matcher(photoId).matches();
    }

    /** Runs {@code operation} once the photo rows are claimed and no photo is left in the couple row. */
    private <T> Step<T> loaded(Step.Next<T> operation) throws Exception {
        if (loaded) {
            return operation.make();
        }
        long owner = fence.getAsLong();
        return Step.after(store.claim(coupleId, owner).thenCompose(claimed -> migration.migrate(coupleId, owner, claimed)),
                photos -> {
                    count = photos;
                    loaded = true;
                    return operation.make();
                });
    }

    /** Fails with LIMIT_REACHED when the couple keeps as many photos as it may; checked before the work. */
    public Step<Void> checkRoom() throws Exception {
        return loaded(() -> {
            room();
            return Step.done(null);
        });
    }

    private void room() throws DuetError {
        if (count >= limits.maxPhotos) {
            throw ApiErrors.of(ErrorCode.LIMIT_REACHED, "the couple has " + count
                    + " photos, the most it may keep (space.max-photos); delete one first");
        }
    }

    /**
     * For finishing an upload: the photo already made from it (a retry), or null when the couple has room
     * for a new one; LIMIT_REACHED when it has none.
     */
    public Step<Photo> madeOrRoom(String photoId) throws Exception {
        return loaded(() -> Step.after(read(photoId), made -> {
            if (made != null) {
                return Step.done(toPhoto(photoId, decode(photoId, made, new UnknownFields())));
            }
            room();
            return Step.done(null);
        }));
    }

    /** Stores a new photo's metadata (its objects are already in S3). */
    public Step<Photo> add(String photoId, StoredPhoto photo) throws Exception {
        return loaded(() -> Step.after(read(photoId), existing -> {
            room();
            if (existing != null) {
                throw ApiErrors.of(ErrorCode.ALREADY_EXISTS, "photo " + photoId + " exists");
            }
            byte[] record = CODEC.encode(photo);
            long after = count + 1;
            return Step.write(owner -> store.add(coupleId, owner, photoId, photo.getUploadedAtMillis(), record, after),
                    () -> count = after, toPhoto(photoId, photo), null);
        }));
    }

    /**
     * The caption of the photo's PHOTO message was edited to {@code caption}: the photo's metadata takes it
     * (empty: no caption), and then {@code done} is written (clearing the pending caption). A photo deleted
     * meanwhile, or one with that caption already, has nothing to write but {@code done}.
     */
    public Step<Void> caption(String photoId, String caption, Step.Write done) throws Exception {
        String now = caption == null || caption.isEmpty() ? null : caption;
        return loaded(() -> Step.after(read(photoId), bytes -> {
            UnknownFields fields = new UnknownFields();
            StoredPhoto photo = bytes == null ? null : decode(photoId, bytes, fields);
            if (photo == null || Objects.equals(photo.getCaption(), now)) {
                return Step.write(done, () -> { }, null, null);
            }
            StoredPhoto changed = photo.deepCopy().setCaption(now).setFence(fence.getAsLong());
            fields.carry(photo, changed);
            byte[] record = CODEC.encodeKeepingUnknown(changed, fields);
            return Step.write(owner -> store.replace(coupleId, owner, photoId, record).thenCompose(ignored -> done.write(owner)),
                    () -> { }, null, null);
        }));
    }

    /** The photo as stored, with its object keys; NOT_FOUND when it is not this couple's. */
    public Step<StoredPhoto> find(String photoId) throws Exception {
        return loaded(() -> Step.after(read(photoId), bytes -> Step.done(found(photoId, bytes))));
    }

    /** Those of {@code photoIds} that are this couple's photos, as stored, by id (one multi-get). */
    public Step<Map<String, StoredPhoto>> findAll(Collection<String> photoIds) throws Exception {
        Set<String> wanted = new LinkedHashSet<>();
        photoIds.forEach(photoId -> {
            if (isPhotoId(photoId)) {
                wanted.add(photoId);
            }
        });
        return loaded(() -> Step.after(store.getAll(coupleId, wanted), records -> {
            Map<String, StoredPhoto> found = new HashMap<>();
            records.forEach((photoId, bytes) -> found.put(photoId, decode(photoId, bytes, new UnknownFields())));
            return Step.done(found);
        }));
    }

    public Step<Photo> get(String photoId) throws Exception {
        return loaded(() -> Step.after(read(photoId), bytes -> Step.done(toPhoto(photoId, found(photoId, bytes)))));
    }

    /**
     * Forgets the photo (its objects are deleted first, by the caller), and tells the couple's sessions;
     * NOT_FOUND if it is gone already.
     */
    public Step<StoredPhoto> remove(String photoId, long userId) throws Exception {
        return loaded(() -> Step.after(read(photoId), bytes -> {
            StoredPhoto photo = found(photoId, bytes);
            long after = count - 1;
            return Step.write(owner -> store.remove(coupleId, owner, photoId, photo.getUploadedAtMillis(), after),
                    () -> count = after, photo,
                    Event.photoDeleted(new PhotoDeletedEvent(photoId, userId)));
        }));
    }

    /**
     * Up to {@code limit} photos, newest first (ties by id), after the one named by {@code cursor} (null:
     * from the newest): a read of the cursor's photo, one scan of the index from it and one multi-get, at
     * any depth.
     */
    public Step<PhotoList> list(int limit, String cursor) throws Exception {
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiErrors.invalidArgument("limit: " + limit + " (expected: 1 to " + MAX_PAGE + ")");
        }
        if (cursor == null) {
            return loaded(() -> page(null, limit));
        }
        return loaded(() -> Step.after(read(cursor), bytes -> {
            if (bytes == null) {
                throw ApiErrors.invalidArgument("cursor: not a photo of this couple (deleted since?); list from the newest");
            }
            StoredPhoto after = decode(cursor, bytes, new UnknownFields());
            return page(store.indexRow(coupleId, after.getUploadedAtMillis(), cursor), limit);
        }));
    }

    private Step<PhotoList> page(byte[] after, int limit) {
        return Step.after(store.page(coupleId, after, limit + 1), ids -> {
            List<String> shown = ids.subList(0, Math.min(limit, ids.size()));
            return Step.after(store.getAll(coupleId, shown), records -> {
                List<Photo> photos = new ArrayList<>(shown.size());
                for (String photoId : shown) {
                    byte[] bytes = records.get(photoId);
                    if (bytes != null) {
                        photos.add(toPhoto(photoId, decode(photoId, bytes, new UnknownFields())));
                    }
                }
                PhotoList list = new PhotoList(photos);
                if (ids.size() > limit) {
                    list.setNextCursor(shown.get(shown.size() - 1));
                }
                return Step.done(list);
            });
        });
    }

    /** How many photos the couple keeps (known once a photo call has loaded them; -1 before). */
    public long size() {
        return loaded ? count : -1;
    }

    private CompletableFuture<byte[]> read(String photoId) {
        return isPhotoId(photoId) ? store.get(coupleId, photoId) : CompletableFuture.completedFuture(null);
    }

    private static StoredPhoto found(String photoId, byte[] bytes) throws DuetError {
        if (bytes == null) {
            throw ApiErrors.of(ErrorCode.NOT_FOUND, "no photo " + photoId);
        }
        return decode(photoId, bytes, new UnknownFields());
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
