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
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoService;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code PhotoService} for one call of a paired user. Metadata reads run on the couple's {@link PhotoBook};
 * uploads, download URLs and deletes go through {@link Photos} (S3, on its workers). Uploads (createUpload)
 * are rate limited per device by {@code photo-upload.per-device}, every other photo call by
 * {@code photo.per-device}.
 */
final class PhotoApi implements PhotoService.AsyncIface {
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
        DuetError refusal = limiter.refusal(limit, context.caller().userId() + "/" + context.caller().deviceId());
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

    @Override
    public void deletePhoto(DeletePhotoRequest request, AsyncMethodCallback<DeletePhotoResult> callback) {
        if (!refused(Limit.PHOTO_PER_DEVICE, callback)) {
            Callbacks.complete(photos.delete(context.caller(), request.getPhotoId())
                    .thenApply(deleted -> new DeletePhotoResult()), callback);
        }
    }
}
