package io.duet.client;

import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.CreateUploadRequest;
import io.duet.protocol.api.DeleteAccountRequest;
import io.duet.protocol.api.DeleteEventRequest;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DeleteMessageRequest;
import io.duet.protocol.api.DeletePhotoRequest;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.GetCalendarRequest;
import io.duet.protocol.api.GetCoupleProfileRequest;
import io.duet.protocol.api.GetMemoRequest;
import io.duet.protocol.api.GetPhotoRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.ListMemosRequest;
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.LogOutEverywhereRequest;
import io.duet.protocol.api.LogOutRequest;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoConflict;
import io.duet.protocol.api.MemoList;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.SetNicknameRequest;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.UnpairRequest;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.api.UnregisterPushTokenRequest;
import io.duet.protocol.api.UpcomingList;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.thrift.TException;
import org.apache.thrift.transport.TTransportException;

/**
 * The HTTP API through Thrift's stock generated clients and {@code THttpClient}, exactly as any other
 * platform would call it: {@code POST <base>/api/v1/<service>}, compact protocol, token in
 * {@code Authorization: Bearer}. Blocking; call it off any UI thread. Each call opens its own transport,
 * so one instance may be shared. An {@code https} base trusts the system's certificate authorities, or
 * those of a {@link DuetTls}; with one, calls share a pool of kept-alive connections whose TLS sessions
 * resume. Calls that cannot connect, or wait too long for an answer, fail with an {@link HttpTimeoutException}
 * ({@link HttpTimeouts}: 5 s to connect and 30 s per read by default).
 */
public final class DuetHttp {
    private final String deviceId;
    /** How the calls travel: transports, connections, the generated clients. */
    private final HttpServiceClients clients;

    /**
     * @param base for example {@code http://127.0.0.1:7420}
     * @param deviceId a stable id of this installation, sent at sign-up and log-in
     */
    public DuetHttp(URI base, String deviceId) {
        this(base, deviceId, HttpTimeouts.DEFAULTS);
    }

    /**
     * @param base for example {@code http://127.0.0.1:7420}
     * @param deviceId a stable id of this installation, sent at sign-up and log-in
     * @param timeouts how long a call may take to connect and to wait for its answer
     */
    public DuetHttp(URI base, String deviceId, HttpTimeouts timeouts) {
        this.deviceId = deviceId;
        this.clients = HttpServiceClients.of(base, timeouts);
    }

    /**
     * @param base an {@code https} URL, for example {@code https://chat.example.com:7420}
     * @param deviceId a stable id of this installation, sent at sign-up and log-in
     * @param tls whom to trust
     */
    public DuetHttp(URI base, String deviceId, DuetTls tls) {
        this(base, deviceId, tls, HttpTimeouts.DEFAULTS);
    }

    /**
     * @param base an {@code https} URL, for example {@code https://chat.example.com:7420}
     * @param deviceId a stable id of this installation, sent at sign-up and log-in
     * @param tls whom to trust
     * @param timeouts how long a call may take to connect (its TLS handshake included) and to wait for its
     *     answer
     */
    public DuetHttp(URI base, String deviceId, DuetTls tls, HttpTimeouts timeouts) {
        this.deviceId = deviceId;
        this.clients = HttpServiceClients.of(base, tls, timeouts);
    }

    /** A new random device id, for first use of an installation. */
    public static String newDeviceId() {
        return UUID.randomUUID().toString();
    }

    public Session signUp(String email, String password, String displayName) throws TException {
        return clients.account(null).signUp(new SignUpRequest(email, password, displayName, deviceId));
    }

    public Session logIn(String email, String password) throws TException {
        return clients.account(null).logIn(new LogInRequest(email, password, deviceId));
    }

    /** A new access token for the session of {@code token} (still valid), reflecting its current couple. */
    public Session refreshSession(String token) throws TException {
        return clients.account(token).refreshSession(new RefreshSessionRequest());
    }

    /**
     * Uses up {@code refreshToken}: a new access token, and the next refresh token (keep it, and never
     * present this one again: a reuse ends the session).
     */
    public Session refreshWith(String refreshToken) throws TException {
        return clients.account(null).refreshSession(new RefreshSessionRequest().setRefreshToken(refreshToken));
    }

    /** Ends this device's session. */
    public void logOut(String token) throws TException {
        clients.account(token).logOut(new LogOutRequest());
    }

    /** Ends every session of the account, on every device. */
    public void logOutEverywhere(String token) throws TException {
        clients.account(token).logOutEverywhere(new LogOutEverywhereRequest());
    }

    public Invite createInvite(String token) throws TException {
        return clients.pairing(token).createInvite(new CreateInviteRequest());
    }

    public Session acceptInvite(String token, String code) throws TException {
        return clients.pairing(token).acceptInvite(new AcceptInviteRequest(code));
    }

    /** The couple's profile: both partners, the nicknames they gave each other, the start date. */
    public CoupleProfile coupleProfile(String token) throws TException {
        return clients.pairing(token).getCoupleProfile(new GetCoupleProfileRequest());
    }

    /** Sets what the caller calls the partner; null clears it. */
    public CoupleProfile setNickname(String token, String nickname) throws TException {
        SetNicknameRequest request = new SetNicknameRequest();
        if (nickname != null) {
            request.setNickname(nickname);
        }
        return clients.pairing(token).setNickname(request);
    }

    /**
     * Ends the caller's couple and deletes its data, after checking {@code password} (the caller's) again;
     * returns the caller's session, without a couple. A wrong password fails with UNAUTHENTICATED.
     */
    public Session unpair(String token, String password) throws TException {
        return clients.pairing(token).unpair(new UnpairRequest().setPassword(password));
    }

    /** Deletes the caller's account (and its couple's data); every session of it ends. */
    public void deleteAccount(String token, String password) throws TException {
        clients.account(token).deleteAccount(new DeleteAccountRequest(password));
    }

    /** Sends over HTTP; prefer {@link DuetClient#send} in a live session. */
    public SendMessageResult sendMessage(String token, String clientMessageId, String text) throws TException {
        return sendMessage(token, new SendMessageRequest(clientMessageId, text, 1));
    }

    /**
     * Sends {@code request} as it is: for a client that sends from several threads, or retries, and keeps
     * its order with an order stream (SendMessageRequest's orderStream, ordinal and afterOrdinal).
     */
    public SendMessageResult sendMessage(String token, SendMessageRequest request) throws TException {
        return clients.chat(token).sendMessage(request);
    }

    /** Sends a sticker message (kind STICKER) over HTTP. */
    public SendMessageResult sendSticker(String token, String clientMessageId, String packId, String stickerId)
            throws TException {
        return sendMessage(token, new SendMessageRequest().setClientMessageId(clientMessageId).setAttempt(1)
                .setSticker(new StickerRef(packId, stickerId)));
    }

    /**
     * Replaces the text of the caller's message {@code seq} (a text message, or a photo's caption); returns
     * the message as it is now. With {@code expectedVersion} not null, only if the message is still at that
     * version, else throws {@link MessageConflict} with the message as it is now; with null, the last edit wins.
     */
    public Message editMessage(String token, long seq, String text, Long expectedVersion) throws TException {
        EditMessageRequest request = new EditMessageRequest(seq, text);
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        return clients.chat(token).editMessage(request);
    }

    /** Deletes the caller's message {@code seq}, leaving a tombstone, which it returns; {@code expectedVersion} as in {@link #editMessage}. */
    public Message deleteMessage(String token, long seq, Long expectedVersion) throws TException {
        DeleteMessageRequest request = new DeleteMessageRequest(seq);
        if (expectedVersion != null) {
            request.setExpectedVersion(expectedVersion);
        }
        return clients.chat(token).deleteMessage(request);
    }

    public HistoryPage fetchHistory(String token, long afterSeq, int limit) throws TException {
        return clients.chat(token).fetchHistory(new FetchHistoryRequest(afterSeq, limit));
    }

    /** The page right before {@code beforeSeq} ({@code Long.MAX_VALUE}: the newest), oldest first. */
    public HistoryPage fetchHistoryBefore(String token, long beforeSeq, int limit) throws TException {
        return clients.chat(token).fetchHistory(new FetchHistoryRequest(0, limit).setBeforeSeq(beforeSeq));
    }

    /**
     * {@code subscribe} over HTTP, a long poll: the messages after {@code afterSeq} ({@code messages},
     * {@code hasMore}) at once if there are any, else the next one once it is sent, waiting up to {@code
     * waitMillis} (the server caps it, 25 s by default); none if nothing came.
     */
    public SubscribeResult poll(String token, long afterSeq, int waitMillis) throws TException {
        return clients.chat(token).subscribe(new SubscribeRequest().setAfterSeq(afterSeq).setWaitMillis(waitMillis));
    }

    /** Tells the partner this user is typing (or stopped); it stops by itself a few seconds after the last. */
    public void setTyping(String token, boolean typing) throws TException {
        clients.chat(token).setTyping(new SetTypingRequest(typing));
    }

    /**
     * {@code FeedService.pollEvents}, one poll: the events after the request's cursors (see feed.thrift). To
     * follow the couple, {@link #follow} polls in a loop and keeps the cursors. A poll refused for now with 429 or
     * 503 fails with an {@link HttpRefusedException} that carries the server's {@code Retry-After}.
     */
    public FeedPage pollEvents(String token, PollEventsRequest request) throws TException {
        RetryAfterHeader.clear();
        try {
            return clients.feed(token).pollEvents(request);
        } catch (TTransportException e) {
            throw RetryAfterHeader.refusal(e);
        }
    }

    /**
     * Starts following the couple of {@code token}: every event after message {@code afterSeq} (and, if
     * {@code afterChange} is not null, the changes after it of the messages up to {@code afterSeq}) goes to
     * {@code listener}, as a {@link DuetClient} would give them over TCP; see {@link DuetFeed}. {@code noEcho}:
     * the messages this device sends are not given back (the send's result is their copy).
     *
     * @param token the session token for each poll (asked again each time, so that a refreshed one is used)
     */
    public DuetFeed follow(Supplier<String> token, long afterSeq, Long afterChange, boolean noEcho,
            DuetListener listener) {
        DuetFeed feed = new DuetFeed(this::pollEvents, token, afterSeq, afterChange, noEcho, listener);
        feed.start();
        return feed;
    }

    /** Marks the messages up to {@code upToSeq} read; returns the read state once the mark is durable. */
    public ReadState markRead(String token, long upToSeq) throws TException {
        return clients.chat(token).markRead(new MarkReadRequest(upToSeq));
    }

    /** Both partners' read marks and the caller's unread count. */
    public ReadState readState(String token) throws TException {
        return clients.chat(token).getReadState(new GetReadStateRequest());
    }

    /** Creates a memo, under a new random {@code clientMemoId}; {@link #createMemo(String, CreateMemoRequest)} retries safely. */
    public Memo createMemo(String token, String title, String text) throws TException {
        return createMemo(token, new CreateMemoRequest(title, text).setClientMemoId(UUID.randomUUID().toString()));
    }

    /**
     * Creates a memo. Sending the same request again (after a failure whose outcome is unknown, such as a
     * timeout) is safe when it names a {@code clientMemoId}: it returns the memo the first attempt made, as it
     * is now, instead of a second one.
     */
    public Memo createMemo(String token, CreateMemoRequest request) throws TException {
        return clients.memo(token).createMemo(request);
    }

    /** Every memo of the couple, the most recently changed first. */
    public MemoList listMemos(String token) throws TException {
        return clients.memo(token).listMemos(new ListMemosRequest());
    }

    public Memo getMemo(String token, long memoId) throws TException {
        return clients.memo(token).getMemo(new GetMemoRequest(memoId));
    }

    /**
     * Changes the title and the text that are not null, if the memo is still at {@code expectedVersion};
     * otherwise throws {@link MemoConflict} with the memo as it is now.
     */
    public Memo editMemo(String token, long memoId, long expectedVersion, String title, String text) throws TException {
        EditMemoRequest request = new EditMemoRequest(memoId, expectedVersion);
        if (title != null) {
            request.setTitle(title);
        }
        if (text != null) {
            request.setText(text);
        }
        return clients.memo(token).editMemo(request);
    }

    /** Deletes the memo if it is still at {@code expectedVersion}; otherwise throws {@link MemoConflict}. */
    public void deleteMemo(String token, long memoId, long expectedVersion) throws TException {
        clients.memo(token).deleteMemo(new DeleteMemoRequest(memoId, expectedVersion));
    }

    public Calendar getCalendar(String token) throws TException {
        return clients.calendar(token).getCalendar(new GetCalendarRequest());
    }

    /** Sets the start date (ISO-8601) and the IANA time zone, each unless null. */
    public Calendar setCalendar(String token, String startDate, String timeZone) throws TException {
        SetCalendarRequest request = new SetCalendarRequest();
        if (startDate != null) {
            request.setStartDate(startDate);
        }
        if (timeZone != null) {
            request.setTimeZone(timeZone);
        }
        return clients.calendar(token).setCalendar(request);
    }

    public CalendarEvent addEvent(String token, AddEventRequest request) throws TException {
        return clients.calendar(token).addEvent(request);
    }

    public void deleteEvent(String token, long eventId) throws TException {
        clients.calendar(token).deleteEvent(new DeleteEventRequest(eventId));
    }

    /** Up to {@code limit} dates from today to today plus {@code withinDays}, soonest first. */
    public UpcomingList listUpcoming(String token, int limit, int withinDays) throws TException {
        return clients.calendar(token).listUpcoming(new ListUpcomingRequest(limit, withinDays));
    }

    /**
     * Uploads the photo in {@code file} (JPEG, PNG or WebP) with an optional caption: the server signs an
     * upload, the bytes go straight to the object store, and the server checks them, makes the variants and
     * posts a photo message.
     */
    public Photo uploadPhoto(String token, Path file, String caption) throws TException, IOException {
        PhotoUpload upload = createUpload(token, Files.size(file));
        PhotoTransfer.await(PhotoTransfer.upload(upload, file));
        return finishUpload(token, upload.getUploadId(), caption);
    }

    /** The first step of {@link #uploadPhoto}: where to PUT exactly {@code sizeBytes} bytes, and until when. */
    public PhotoUpload createUpload(String token, long sizeBytes) throws TException {
        return clients.photo(token).createUpload(new CreateUploadRequest(sizeBytes));
    }

    /** The last step of {@link #uploadPhoto}, once the bytes are PUT. */
    public Photo finishUpload(String token, String uploadId, String caption) throws TException {
        return clients.photo(token).finishUpload(PhotoTransfer.finishRequest(uploadId, caption));
    }

    public Photo getPhoto(String token, String photoId) throws TException {
        return clients.photo(token).getPhoto(new GetPhotoRequest(photoId));
    }

    /** Up to {@code limit} photos, newest first, after {@code cursor} (null: from the newest). */
    public PhotoList listPhotos(String token, int limit, String cursor) throws TException {
        ListPhotosRequest request = new ListPhotosRequest().setLimit(limit);
        if (cursor != null) {
            request.setCursor(cursor);
        }
        return clients.photo(token).listPhotos(request);
    }

    /** A presigned URL of one variant of a photo (FULL when {@code variant} is null), valid for minutes. */
    public PhotoUrl photoUrl(String token, String photoId, PhotoVariant variant) throws TException {
        GetPhotoUrlRequest request = new GetPhotoUrlRequest(photoId);
        if (variant != null) {
            request.setVariant(variant);
        }
        return clients.photo(token).getPhotoUrl(request);
    }

    /**
     * Presigned URLs of many photos at once (1 to {@code MAX_PHOTO_URLS} photo ids, all of {@code variant},
     * FULL when null): one entry per id, in order, each with a URL or NOT_FOUND.
     */
    public PhotoUrls photoUrls(String token, List<String> photoIds, PhotoVariant variant) throws TException {
        return clients.photo(token).getPhotoUrls(PhotoUrlsRequests.of(photoIds, variant));
    }

    /** Downloads one variant of a photo into {@code target}. */
    public Path downloadPhoto(String token, String photoId, PhotoVariant variant, Path target)
            throws TException, IOException {
        return PhotoTransfer.await(PhotoTransfer.download(photoUrl(token, photoId, variant), target));
    }

    /** Deletes the photo's objects and metadata (the photo message stays, pointing at nothing). */
    public void deletePhoto(String token, String photoId) throws TException {
        clients.photo(token).deletePhoto(new DeletePhotoRequest(photoId));
    }

    /** Sets this device's push token (the device of {@code token}'s session); see DeviceService. */
    public void registerPushToken(String token, PushPlatform platform, String pushToken) throws TException {
        clients.device(token).registerPushToken(new RegisterPushTokenRequest(platform, pushToken));
    }

    /** Removes this device's push token: it gets no more pushes. */
    public void unregisterPushToken(String token) throws TException {
        clients.device(token).unregisterPushToken(new UnregisterPushTokenRequest());
    }
}
