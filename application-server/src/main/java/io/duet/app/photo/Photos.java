package io.duet.app.photo;

import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.SpaceCall;
import io.duet.app.internal.SeededRandom;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.Caller;
import io.duet.app.space.PhotoBook;
import io.duet.app.space.SpaceLimits;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrlEntry;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.photoConstants;
import io.duet.protocol.storage.StoredPhoto;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The photo calls that need S3: uploads, download URLs and deletes. S3 calls and image work run on the
 * photo workers (a small bounded pool), never on an event loop or a couple's executor; metadata changes run
 * on the couple's actor, written under its fence like memos.
 *
 * <p>An upload's bytes go straight to S3 with a presigned PUT, under {@code incoming/<couple>/<upload id>}:
 * the couple's id in the key is what makes another couple's upload id NOT_FOUND. {@link #finishUpload} then
 * reads them back (at most {@code photos.max-bytes}), makes the variants ({@link PhotoProcessor}), stores each
 * under its own random key ({@code photos/<128 random bits>}), deletes the incoming object, records the
 * metadata and posts the photo message. Incoming objects never finished are deleted by a sweep on the server
 * that owns their couple ({@link #startSweeping}, {@link AbandonedUploads}); the bucket's lifecycle rule
 * (deploy/PRODUCTION.md: expire {@code incoming/} after a day) is a second net. Objects are deleted in
 * batches ({@link BatchDeletes}); keys S3 still refuses after the retries fail the call with UNAVAILABLE.
 */
public final class Photos implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Photos.class);
    private static final SecureRandom RANDOM = SeededRandom.create();
    private static final int ID_BYTES = 16;

    private final PhotoSettings settings;
    /** Null when S3 is not configured: every call is then UNAVAILABLE. */
    private final PhotoObjects objects;
    private final PhotoProcessor processor;
    private final CoupleRegistry couples;
    private final Clock clock;
    private final ThreadPoolExecutor workers;
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /**
     * The finishUpload calls running on this server, by incoming key: a retry that overlaps one waits for
     * its answer. An entry lives as long as its call (bounded by the photo workers' queue and the callers'
     * rate limit), and is removed before its waiters hear.
     */
    private final Map<String, CompletableFuture<Photo>> finishing = new ConcurrentHashMap<>();
    /** Where the next sweep lists from (null: the first upload); written by one sweep at a time. */
    private volatile String sweepFrom;

    /** {@code s3} null: photos are unavailable on this server (no {@code s3.bucket} set). */
    public Photos(PhotoSettings settings, S3Settings s3, CoupleRegistry couples, Clock clock) {
        this.settings = settings;
        this.objects = s3 == null ? null : new PhotoObjects(s3);
        this.processor = new PhotoProcessor(settings.maxPixels);
        this.couples = couples;
        this.clock = clock;
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(settings.workers, settings.workers, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.maxQueued), task -> {
                    Thread thread = new Thread(task, "duet-photo-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.workers.allowCoreThreadTimeOut(true);
    }

    static String newId() {
        byte[] id = new byte[ID_BYTES];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    static String incomingKey(long coupleId, String uploadId) {
        return AbandonedUploads.PREFIX + coupleId + "/" + uploadId;
    }

    /**
     * A presigned PUT for {@code sizeBytes} bytes. The couple's actor first checks that the caller is one
     * of the couple (the token's claims alone do not make it so) and that the couple has room.
     */
    public CompletableFuture<PhotoUpload> createUpload(Caller caller, long sizeBytes) {
        if (sizeBytes < 1 || sizeBytes > settings.maxBytes) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument("sizeBytes: " + sizeBytes
                    + " (expected: 1 to " + settings.maxBytes + ": a photo may have at most " + settings.maxBytes
                    + " bytes)"));
        }
        if (objects == null) {
            return CompletableFuture.failedFuture(notConfigured());
        }
        return onActor(caller, space -> space.photos().checkRoom()).thenCompose(room -> onWorkers(() -> {
            String uploadId = newId();
            PhotoObjects.Presigned put = objects.presignPut(incomingKey(caller.coupleId(), uploadId), sizeBytes,
                    settings.uploadUrlLifetime);
            Map<String, String> headers = new HashMap<>(put.headers);
            headers.keySet().removeIf(name -> name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length"));
            return new PhotoUpload(uploadId, put.url.toString(), headers, put.expiration.toEpochMilli(),
                    settings.maxBytes);
        }));
    }

    /** Runs a space call of the caller's on its couple's actor, which first checks the caller is one of it. */
    private <T> CompletableFuture<T> onActor(Caller caller, SpaceCall<T> call) {
        try {
            return couples.actorFor(caller.coupleId()).space(caller.userId(), call);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Checks and processes the uploaded bytes, stores the photo, posts its message. A retry of the same
     * upload (its reply lost, or timed out) gets the first call's answer, never an error nor a second photo
     * or message: while the first call runs on this server, the retry waits for its outcome ({@link
     * #finishing}); once the photo is made, the retry finds it (the photo's id is the upload's) and posts
     * its message again, which is stored once (its client id is derived from the photo's). Should two calls
     * still make the photo twice (on two servers, while its couple moves), the second's metadata write finds
     * the first's and answers with it, its own objects deleted. The incoming object is deleted only once the
     * metadata is written, so a retry after a call that failed half way can make the photo again.
     */
    public CompletableFuture<Photo> finishUpload(Caller caller, String uploadId, String caption) {
        if (!PhotoBook.isPhotoId(uploadId)) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.NOT_FOUND, "no upload " + uploadId));
        }
        if (caption != null && caption.length() > SpaceLimits.MAX_CAPTION_CHARS) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument("caption: " + caption.length()
                    + " characters (at most " + SpaceLimits.MAX_CAPTION_CHARS + ")"));
        }
        if (objects == null) {
            return CompletableFuture.failedFuture(notConfigured());
        }
        String key = incomingKey(caller.coupleId(), uploadId);
        CompletableFuture<Photo> mine = new CompletableFuture<>();
        CompletableFuture<Photo> running = finishing.putIfAbsent(key, mine);
        if (running != null) {
            return running.thenApply(Photo::deepCopy);
        }
        String photoId = uploadId;
        onActor(caller, space -> space.photos().madeOrRoom(photoId))
                .thenCompose(made -> made != null ? CompletableFuture.completedFuture(made)
                        : make(caller, photoId, caption))
                .thenCompose(photo -> couples.actorFor(caller.coupleId()).sendPhoto(caller.userId(), caller.deviceId(),
                                photoId, photo.isSetCaption() ? photo.getCaption() : "")
                        .thenApply(sent -> photo.setMessageSeq(sent.getSeq())))
                .whenComplete((photo, failure) -> {
                    // Gone from the map before the waiting retries hear: a retry from now on finds the photo made.
                    finishing.remove(key, mine);
                    if (failure != null) {
                        mine.completeExceptionally(failure);
                    } else {
                        mine.complete(photo);
                    }
                });
        return mine.thenApply(Photo::deepCopy);
    }

    /**
     * The variants of upload {@code photoId} in S3, then its metadata in the couple's row, then the incoming
     * object deleted. When the metadata is there already (made by an overlapping call), that photo is the
     * answer and this call's objects are deleted.
     */
    private CompletableFuture<Photo> make(Caller caller, String photoId, String caption) {
        String incoming = incomingKey(caller.coupleId(), photoId);
        return onWorkers(() -> storeVariants(incoming, caller.userId(), caption))
                .thenCompose(stored -> onActor(caller, space -> space.photos().add(photoId, stored))
                        .handle((photo, failure) -> {
                            if (failure == null) {
                                deleteLater(List.of(incoming));
                                return CompletableFuture.completedFuture(photo);
                            }
                            deleteLater(stored.getObjectKeys().values());
                            Throwable cause = ApiErrors.unwrap(failure);
                            if (cause instanceof DuetError && ((DuetError) cause).getCode() == ErrorCode.ALREADY_EXISTS) {
                                return onActor(caller, space -> space.photos().get(photoId));
                            }
                            return CompletableFuture.<Photo>failedFuture(cause);
                        })
                        .thenCompose(next -> next));
    }

    /** Blocking: on a worker. */
    private StoredPhoto storeVariants(String incoming, long userId, String caption) throws Exception {
        PhotoObjects s3 = objects;
        long size = s3.size(incoming);
        if (size < 0) {
            throw ApiErrors.of(ErrorCode.NOT_FOUND, "no upload " + incoming.substring(incoming.lastIndexOf('/') + 1)
                    + " (never uploaded, finished already, or another couple's)");
        }
        if (size > settings.maxBytes) {
            s3.delete(List.of(incoming));
            throw ApiErrors.invalidArgument("the upload has " + size + " bytes; a photo may have at most "
                    + settings.maxBytes);
        }
        PhotoProcessor.Result result;
        try {
            result = processor.process(s3.read(incoming, settings.maxBytes));
        } catch (PhotoRejectedException e) {
            s3.delete(List.of(incoming));
            throw ApiErrors.invalidArgument(e.getMessage());
        }
        Map<Integer, String> keys = new HashMap<>();
        Map<Integer, String> types = new HashMap<>();
        try {
            for (Map.Entry<PhotoVariant, PhotoProcessor.Encoded> variant : result.variants.entrySet()) {
                String key = "photos/" + newId();
                s3.put(key, variant.getValue().bytes, variant.getValue().contentType);
                keys.put(variant.getKey().getValue(), key);
                types.put(variant.getKey().getValue(), variant.getValue().contentType);
            }
        } catch (RuntimeException e) {
            deleteLater(keys.values());
            throw e;
        }
        PhotoProcessor.Encoded full = result.variants.get(PhotoVariant.FULL);
        StoredPhoto photo = new StoredPhoto().setWidth(full.width).setHeight(full.height).setUploadedBy(userId)
                .setUploadedAtMillis(clock.millis()).setContentType(full.contentType).setSizeBytes(full.bytes.length)
                .setObjectKeys(keys);
        types.values().removeIf(full.contentType::equals);
        if (!types.isEmpty()) {
            photo.setVariantTypes(types);
        }
        if (result.takenAtMillis != null) {
            photo.setTakenAtMillis(result.takenAtMillis);
        }
        if (caption != null && !caption.isEmpty()) {
            photo.setCaption(caption);
        }
        return photo;
    }

    /** A presigned GET of one variant of the caller's couple's photo. */
    public CompletableFuture<PhotoUrl> url(Caller caller, String photoId, PhotoVariant variant) {
        if (objects == null) {
            return CompletableFuture.failedFuture(notConfigured());
        }
        PhotoVariant wanted = variant == null ? PhotoVariant.FULL : variant;
        return stored(caller, photoId).thenCompose(photo -> onWorkers(() -> {
            PhotoUrl url = presignGet(photo, wanted);
            if (url == null) {
                throw ApiErrors.of(ErrorCode.NOT_FOUND, "photo " + photoId + " has no " + wanted + " variant");
            }
            return url;
        }));
    }

    /**
     * Presigned GETs of many photos of the caller's couple (1 to {@code MAX_PHOTO_URLS}), with one read of
     * the couple's metadata: each photo that is not the couple's, or lacks the variant, gets a NOT_FOUND
     * entry instead of a URL.
     */
    public CompletableFuture<PhotoUrls> urls(Caller caller, List<GetPhotoUrlRequest> wanted) {
        if (wanted == null || wanted.isEmpty() || wanted.size() > photoConstants.MAX_PHOTO_URLS) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument("photos: "
                    + (wanted == null ? 0 : wanted.size()) + " (expected: 1 to " + photoConstants.MAX_PHOTO_URLS + ")"));
        }
        if (objects == null) {
            return CompletableFuture.failedFuture(notConfigured());
        }
        List<String> ids = new ArrayList<>(wanted.size());
        wanted.forEach(one -> ids.add(one.getPhotoId()));
        return onActor(caller, space -> space.photos().findAll(ids)).thenCompose(found -> onWorkers(() -> {
            List<PhotoUrlEntry> entries = new ArrayList<>(wanted.size());
            for (GetPhotoUrlRequest one : wanted) {
                PhotoVariant variant = one.isSetVariant() ? one.getVariant() : PhotoVariant.FULL;
                StoredPhoto photo = found.get(one.getPhotoId());
                PhotoUrl url = photo == null ? null : presignGet(photo, variant);
                PhotoUrlEntry entry = new PhotoUrlEntry(one.getPhotoId(), variant);
                entries.add(url != null ? entry.setUrl(url) : entry.setErrorCode(ErrorCode.NOT_FOUND));
            }
            return new PhotoUrls(entries);
        }));
    }

    /** A presigned GET of {@code variant} of {@code photo}; null when the photo has no such variant. */
    private PhotoUrl presignGet(StoredPhoto photo, PhotoVariant variant) {
        String key = photo.getObjectKeys().get(variant.getValue());
        if (key == null) {
            return null;
        }
        PhotoObjects.Presigned get = objects.presignGet(key, settings.downloadUrlLifetime);
        String type = photo.isSetVariantTypes() && photo.getVariantTypes().containsKey(variant.getValue())
                ? photo.getVariantTypes().get(variant.getValue()) : photo.getContentType();
        return new PhotoUrl(get.url.toString(), get.expiration.toEpochMilli(), type);
    }

    /**
     * Deletes the objects, then the metadata: a delete that fails half way leaves the metadata, and
     * retrying it finishes the job (deleting a missing object is no error). Once the metadata is gone, every
     * session of the couple gets a PhotoDeletedEvent.
     */
    public CompletableFuture<Void> delete(Caller caller, String photoId) {
        if (objects == null) {
            return CompletableFuture.failedFuture(notConfigured());
        }
        return stored(caller, photoId)
                .thenCompose(photo -> onWorkers(() -> {
                    objects.delete(new ArrayList<>(photo.getObjectKeys().values()));
                    return null;
                }))
                .thenCompose(deleted -> onActor(caller, space -> space.photos().remove(photoId, caller.userId())))
                .thenApply(removed -> null);
    }

    /**
     * Deletes every object of a couple being purged: {@code keys} (its photos' variants) and whatever is
     * under its uploads' prefix. Completes with the number of objects deleted; deleting a missing object is
     * no error, so a retry finishes the job.
     */
    public CompletableFuture<Integer> deleteCoupleObjects(long coupleId, Collection<String> keys) {
        if (objects == null) {
            return keys.isEmpty() ? CompletableFuture.completedFuture(0) : CompletableFuture.failedFuture(notConfigured());
        }
        List<String> photoKeys = List.copyOf(keys);
        return onWorkers(() -> {
            objects.delete(photoKeys);
            int deleted = photoKeys.size();
            List<PhotoObjects.Listed> uploads;
            do {
                uploads = objects.list(AbandonedUploads.PREFIX + coupleId + "/", null, settings.sweepMaxObjects);
                List<String> uploadKeys = new ArrayList<>();
                uploads.forEach(upload -> uploadKeys.add(upload.key()));
                objects.delete(uploadKeys);
                deleted += uploadKeys.size();
            } while (uploads.size() == settings.sweepMaxObjects);
            return deleted;
        });
    }

    /**
     * Sweeps abandoned uploads every {@code photos.sweep-interval} on {@code timers} (which only hand the
     * sweep to the photo workers): at most {@code photos.sweep-max-objects} objects listed per sweep, one
     * sweep at a time. {@code owns} says which couples this server owns.
     */
    public void startSweeping(ScheduledExecutorService timers, LongPredicate owns) {
        if (objects == null) {
            return;
        }
        long every = settings.sweepInterval.toMillis();
        timers.scheduleWithFixedDelay(() -> {
            if (!workers.isShutdown() && sweeping.compareAndSet(false, true)) {
                sweepAbandonedUploads(owns).whenComplete((deleted, failure) -> {
                    sweeping.set(false);
                    if (failure != null) {
                        LOG.warn("Sweeping abandoned uploads failed: {}", failure.toString());
                    } else if (deleted > 0) {
                        LOG.info("Deleted {} abandoned uploads", deleted);
                    }
                });
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * One sweep: lists the next {@code photos.sweep-max-objects} uploads after where the last sweep stopped
     * (from the first once it reached the end), and deletes the abandoned ones of the couples {@code owns}
     * accepts; completes with how many.
     */
    CompletableFuture<Integer> sweepAbandonedUploads(LongPredicate owns) {
        return onWorkers(() -> {
            List<PhotoObjects.Listed> listed = objects.list(AbandonedUploads.PREFIX, sweepFrom, settings.sweepMaxObjects);
            sweepFrom = listed.size() < settings.sweepMaxObjects ? null : listed.get(listed.size() - 1).key();
            List<String> expired = AbandonedUploads.expired(listed, clock.instant(), settings.abandonedUploadAfter, owns);
            objects.delete(expired);
            return expired.size();
        });
    }

    private CompletableFuture<StoredPhoto> stored(Caller caller, String photoId) {
        return onActor(caller, space -> space.photos().find(photoId));
    }

    private static DuetError notConfigured() {
        return ApiErrors.unavailable("photos are not configured on this server (no s3.bucket)");
    }

    /** A blocking task for the workers; S3's failures become UNAVAILABLE. */
    @FunctionalInterface
    private interface Work<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> onWorkers(Work<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try {
                    result.complete(work.run());
                } catch (SdkException e) {
                    LOG.warn("S3 failed a photo call: {}", e.toString());
                    result.completeExceptionally(ApiErrors.unavailable("the photo store is unavailable; retry"));
                } catch (ObjectsNotDeletedException e) {
                    LOG.warn("S3 did not delete every object: {}", e.getMessage());
                    result.completeExceptionally(ApiErrors.unavailable("the photo store did not delete "
                            + e.failed().size() + " objects; retry"));
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(ApiErrors.busy("the server's photo workers have " + settings.maxQueued
                    + " tasks waiting; retry later"));
        }
        return result;
    }

    private void deleteLater(Collection<String> keys) {
        if (keys.isEmpty() || objects == null) {
            return;
        }
        List<String> copy = List.copyOf(keys);
        onWorkers(() -> {
            objects.delete(copy);
            return null;
        }).whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.warn("Could not delete {} orphaned photo objects: {}", copy.size(), failure.toString());
            }
        });
    }

    /** Stops the workers (a running task finishes; waiting ones are dropped) and closes the S3 client. */
    @Override
    public void close() {
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (objects != null) {
            objects.close();
        }
    }
}
