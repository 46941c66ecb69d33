package io.duet.client;

import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetPhotoUrlsRequest;
import io.duet.protocol.api.PhotoVariant;
import java.util.ArrayList;
import java.util.List;

/** The getPhotoUrls request both SDKs send: every photo id with the same variant. */
final class PhotoUrlsRequests {
    private PhotoUrlsRequests() {
    }

    /** {@code variant} null: FULL, the server's default. */
    static GetPhotoUrlsRequest of(List<String> photoIds, PhotoVariant variant) {
        List<GetPhotoUrlRequest> photos = new ArrayList<>(photoIds.size());
        for (String photoId : photoIds) {
            GetPhotoUrlRequest one = new GetPhotoUrlRequest(photoId);
            photos.add(variant == null ? one : one.setVariant(variant));
        }
        return new GetPhotoUrlsRequest(photos);
    }
}
