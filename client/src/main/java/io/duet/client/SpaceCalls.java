package io.duet.client;

import io.duet.client.internal.ClientSession;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.CalendarService;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.CreateUploadRequest;
import io.duet.protocol.api.DeleteEventRequest;
import io.duet.protocol.api.DeleteEventResult;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DeleteMemoResult;
import io.duet.protocol.api.DeletePhotoRequest;
import io.duet.protocol.api.DeletePhotoResult;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.GetCalendarRequest;
import io.duet.protocol.api.GetMemoRequest;
import io.duet.protocol.api.GetPhotoRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.ListMemosRequest;
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoList;
import io.duet.protocol.api.MemoService;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoService;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.UpcomingList;
import io.duet.protocol.api.commonConstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The calls of the couple's space over a {@link DuetClient}'s session: memos, the calendar and photos (whose
 * bytes go straight to the object store, {@link PhotoTransfer}). {@link DuetClient} documents each one.
 */
final class SpaceCalls {
    private final ClientSession session;

    SpaceCalls(ClientSession session) {
        this.session = session;
    }

    CompletableFuture<MemoList> listMemos() {
        return session.call(commonConstants.MEMO_SERVICE, "listMemos",
                new MemoService.listMemos_args(new ListMemosRequest()), new MemoService.listMemos_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Memo> getMemo(long memoId) {
        return session.call(commonConstants.MEMO_SERVICE, "getMemo",
                new MemoService.getMemo_args(new GetMemoRequest(memoId)), new MemoService.getMemo_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Memo> createMemo(String title, String text) {
        return createMemo(new CreateMemoRequest(title, text).setClientMemoId(UUID.randomUUID().toString()));
    }

    CompletableFuture<Memo> createMemo(CreateMemoRequest request) {
        return session.call(commonConstants.MEMO_SERVICE, "createMemo",
                new MemoService.createMemo_args(request), new MemoService.createMemo_result(),
                // With its id, a second create returns the first one's memo.
                request.isSetClientMemoId() ? ClientSession.Retry.SAFE_TO_REPEAT : ClientSession.Retry.AT_MOST_ONCE);
    }

    CompletableFuture<Memo> editMemo(EditMemoRequest request) {
        return session.call(commonConstants.MEMO_SERVICE, "editMemo",
                new MemoService.editMemo_args(request), new MemoService.editMemo_result(), ClientSession.Retry.AT_MOST_ONCE);
    }

    CompletableFuture<Void> deleteMemo(long memoId, long expectedVersion) {
        return session.<DeleteMemoResult>call(commonConstants.MEMO_SERVICE, "deleteMemo",
                new MemoService.deleteMemo_args(new DeleteMemoRequest(memoId, expectedVersion)),
                new MemoService.deleteMemo_result(), ClientSession.Retry.AT_MOST_ONCE).thenApply(result -> null);
    }

    CompletableFuture<UpcomingList> listUpcoming(int limit, int withinDays) {
        return session.call(commonConstants.CALENDAR_SERVICE, "listUpcoming",
                new CalendarService.listUpcoming_args(new ListUpcomingRequest(limit, withinDays)),
                new CalendarService.listUpcoming_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Calendar> calendar() {
        return session.call(commonConstants.CALENDAR_SERVICE, "getCalendar",
                new CalendarService.getCalendar_args(new GetCalendarRequest()), new CalendarService.getCalendar_result(),
                ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Calendar> setCalendar(SetCalendarRequest request) {
        return session.call(commonConstants.CALENDAR_SERVICE, "setCalendar",
                new CalendarService.setCalendar_args(request), new CalendarService.setCalendar_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<CalendarEvent> addEvent(AddEventRequest request) {
        return session.call(commonConstants.CALENDAR_SERVICE, "addEvent",
                new CalendarService.addEvent_args(request), new CalendarService.addEvent_result(), ClientSession.Retry.AT_MOST_ONCE);
    }

    CompletableFuture<Void> deleteEvent(long eventId) {
        return session.<DeleteEventResult>call(commonConstants.CALENDAR_SERVICE, "deleteEvent",
                new CalendarService.deleteEvent_args(new DeleteEventRequest(eventId)),
                new CalendarService.deleteEvent_result(), ClientSession.Retry.AT_MOST_ONCE).thenApply(result -> null);
    }

    CompletableFuture<Photo> uploadPhoto(Path file, String caption) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return session.<PhotoUpload>call(commonConstants.PHOTO_SERVICE, "createUpload",
                        new PhotoService.createUpload_args(new CreateUploadRequest(size)),
                        new PhotoService.createUpload_result(), ClientSession.Retry.SAFE_TO_REPEAT)
                // Off the event loop the reply completes on: the transfer opens the file.
                .thenComposeAsync(upload -> PhotoTransfer.upload(upload, file).thenCompose(sent -> session.call(
                        commonConstants.PHOTO_SERVICE, "finishUpload", new PhotoService.finishUpload_args(
                                PhotoTransfer.finishRequest(upload.getUploadId(), caption)),
                        new PhotoService.finishUpload_result(), ClientSession.Retry.SAFE_TO_REPEAT)));
    }

    CompletableFuture<PhotoList> listPhotos(int limit, String cursor) {
        ListPhotosRequest request = new ListPhotosRequest().setLimit(limit);
        if (cursor != null) {
            request.setCursor(cursor);
        }
        return session.call(commonConstants.PHOTO_SERVICE, "listPhotos",
                new PhotoService.listPhotos_args(request), new PhotoService.listPhotos_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Photo> photo(String photoId) {
        return session.call(commonConstants.PHOTO_SERVICE, "getPhoto",
                new PhotoService.getPhoto_args(new GetPhotoRequest(photoId)), new PhotoService.getPhoto_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<PhotoUrl> photoUrl(String photoId, PhotoVariant variant) {
        GetPhotoUrlRequest request = new GetPhotoUrlRequest(photoId);
        if (variant != null) {
            request.setVariant(variant);
        }
        return session.call(commonConstants.PHOTO_SERVICE, "getPhotoUrl",
                new PhotoService.getPhotoUrl_args(request), new PhotoService.getPhotoUrl_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<PhotoUrls> photoUrls(List<String> photoIds, PhotoVariant variant) {
        return session.call(commonConstants.PHOTO_SERVICE, "getPhotoUrls",
                new PhotoService.getPhotoUrls_args(PhotoUrlsRequests.of(photoIds, variant)),
                new PhotoService.getPhotoUrls_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    CompletableFuture<Path> downloadPhoto(String photoId, PhotoVariant variant, Path target) {
        return PhotoTransfer.downloadOnceKnown(photoUrl(photoId, variant), target);
    }

    CompletableFuture<Void> deletePhoto(String photoId) {
        return session.<DeletePhotoResult>call(commonConstants.PHOTO_SERVICE, "deletePhoto",
                new PhotoService.deletePhoto_args(new DeletePhotoRequest(photoId)),
                new PhotoService.deletePhoto_result(), ClientSession.Retry.AT_MOST_ONCE).thenApply(result -> null);
    }
}
