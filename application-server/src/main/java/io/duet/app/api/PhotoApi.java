package io.duet.app.api;

import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.photo.Photos;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.app.space.PhotoBook;
import io.duet.protocol.api.CreateUploadRequest;
import io.duet.protocol.api.DeletePhotoRequest;
import io.duet.protocol.api.DeletePhotoResult;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.FinishUploadRequest;
import io.duet.protocol.api.GetPhotoRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetPhotoUrlsRequest;
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoService;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrls;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code PhotoService} for one call of a paired user. Metadata reads run on the couple's {@link PhotoBook};
 * uploads, download URLs and deletes go through {@link Photos} (S3, on its workers). Uploads (createUpload)
 * are rate limited per device by {@code photo-upload.per-device}, every other photo call by
 * {@code photo.per-device} (getPhotoUrls as one call per started {@value #URLS_PER_CALL} photos).
 */
final class PhotoApi implements PhotoService.AsyncIface {
    /**
     * How many photos of one getPhotoUrls call count as one photo call: a batch costs one read of the
     * couple's metadata and a presigning (a local HMAC) per photo, so a full batch of 100 counts as 4.
     */
    static final int URLS_PER_CALL = 25;

    private final CallContext context;
    private final SpaceCalls calls;
    private final Photos photos;
    private final RateLimiter limiter;

    PhotoApi(CallContext context, SpaceCalls calls, Photos photos, RateLimiter limiter) {
        this.context = context;
        this.calls = calls;
        this.photos = photos;
        this.limiter = limiter;
    }

    /** Whether {@code limit} refuses the caller's device; the refusal then went to the callback. */
    private boolean refused(Limit limit, AsyncMethodCallback<?> callback) {
        return refused(limit, 1, callback);
    }

    /** As {@link #refused(Limit, AsyncMethodCallback)}, for a call that counts as {@code calls} calls. */
    private boolean refused(Limit limit, int calls, AsyncMethodCallback<?> callback) {
        DuetError refusal = limiter.refusal(limit, context.caller().userId() + "/" + context.caller().deviceId(), calls);
        if (refusal != null) {
            callback.onError(refusal);
            return true;
        }
        return false;
    }

    @Override
    public void createUpload(CreateUploadRequest request, AsyncMethodCallback<PhotoUpload> callback) {
        if (!refused(Limit.PHOTO_UPLOAD_PER_DEVICE, callback)) {
            Callbacks.complete(photos.createUpload(context.caller(), request.getSizeBytes()), callback);
        }
    }

    @Override
    public void finishUpload(FinishUploadRequest request, AsyncMethodCallback<Photo> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            Callbacks.complete(photos.finishUpload(context.caller(), request.getUploadId(),
                    request.isSetCaption() ? request.getCaption() : null), callback);
        }
    }

    @Override
    public void getPhoto(GetPhotoRequest request, AsyncMethodCallback<Photo> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            calls.run(space -> space.photos().get(request.getPhotoId()), callback);
        }
    }

    @Override
    public void listPhotos(ListPhotosRequest request, AsyncMethodCallback<PhotoList> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            int limit = request.isSetLimit() ? request.getLimit() : PhotoBook.DEFAULT_PAGE;
            String cursor = request.isSetCursor() ? request.getCursor() : null;
            calls.run(space -> space.photos().list(limit, cursor), callback);
        }
    }

    @Override
    public void getPhotoUrl(GetPhotoUrlRequest request, AsyncMethodCallback<PhotoUrl> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            Callbacks.complete(photos.url(context.caller(), request.getPhotoId(),
                    request.isSetVariant() ? request.getVariant() : null), callback);
        }
    }

    /** Counted as one call per started {@link #URLS_PER_CALL} photos. */
    @Override
    public void getPhotoUrls(GetPhotoUrlsRequest request, AsyncMethodCallback<PhotoUrls> callback) {
        int photos = request.isSetPhotos() ? request.getPhotosSize() : 0;
        if (!refused(Limit.PHOTO_PER_DEVICE, Math.max(1, (photos + URLS_PER_CALL - 1) / URLS_PER_CALL), callback)) {
            Callbacks.complete(this.photos.urls(context.caller(), request.getPhotos()), callback);
        }
    }

    @Override
    public void deletePhoto(DeletePhotoRequest request, AsyncMethodCallback<DeletePhotoResult> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            Callbacks.complete(photos.delete(context.caller(), request.getPhotoId())
                    .thenApply(deleted -> new DeletePhotoResult()), callback);
        }
    }
}
