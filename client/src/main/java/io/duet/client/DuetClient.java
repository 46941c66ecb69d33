package io.duet.client;

import io.duet.client.internal.CallbackThread;
import io.duet.client.internal.ClientSession;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.DeleteAccountRequest;
import io.duet.protocol.api.DeleteAccountResult;
import io.duet.protocol.api.DeleteMessageRequest;
import io.duet.protocol.api.DeviceService;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.GetCoupleProfileRequest;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.LogOutEverywhereRequest;
import io.duet.protocol.api.LogOutRequest;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoList;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoList;
import io.duet.protocol.api.PhotoUrl;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.RegisterPushTokenResult;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.SetNicknameRequest;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.api.UnpairRequest;
import io.duet.protocol.api.UnregisterPushTokenRequest;
import io.duet.protocol.api.UnregisterPushTokenResult;
import io.duet.protocol.api.UpcomingList;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.FrameEncoder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP session with a Duet server, kept up across network changes.
 *
 * <pre>{@code
 * DuetClient client = DuetClient.builder()
 *         .server("chat.example.com", 7410)
 *         .token(() -> store.token())
 *         .resumeAfter(store.lastSeq(), store.lastChange())
 *         .listener(new DuetListener() {
 *             public void onMessage(Message m) { store.append(m); }
 *         })
 *         .build();
 * client.connect().join();
 * client.send("hello").thenAccept(result -> System.out.println("stored as " + result.getSeq()));
 * }</pre>
 *
 * <p>Sends are acknowledged only once durable; until then they are retried, with the same client
 * message id, after every reconnect, and counted by {@link #pendingSends()}. Persist {@link #lastSeq()} and
 * {@link #lastChange()} to resume where the app left off.
 *
 * <p>Every other call (history, read marks, memos, photos, profile) waits while the session reconnects
 * or moves between servers, and is asked again after a refusal for now (the couple moving, a busy
 * server, a rate limit: after the delay the server names) or a lost connection, all within the call
 * timeout ({@link DuetClientBuilder#callTimeout}). A call lost after it was written is asked again only if doing
 * it twice is the same as once (reads, marks, nicknames, deletes of messages, uploads, a memo created
 * under a {@code clientMemoId}); otherwise (memo edits and deletes, an edit against a version, deleting a
 * photo, unpairing) it fails with "outcome unknown",
 * and the app can read the current state to find out. {@link #setTyping} is never held or repeated.
 * Thread-safe; callbacks arrive on one SDK thread.
 */
public final class DuetClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final CallbackThread callbacks;
    private final ClientSession session;
    private final SpaceCalls space;
    private final AtomicBoolean closed = new AtomicBoolean();

    DuetClient(DuetClientBuilder builder) {
        FrameEncoder.preloadCompression();
        this.ownsGroup = builder.group == null;
        this.group = ownsGroup
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-client-io", true),
                        NioIoHandler.newFactory())
                : builder.group;
        this.callbacks = new CallbackThread("duet-client-callbacks");
        this.session = new ClientSession(builder.server, builder.tls, group.next(), callbacks, builder.token,
                builder.refreshToken, builder.lastSeq, builder.lastChange, builder.listener, builder.callTimeout,
                builder.minBackoff, builder.maxBackoff);
        this.space = new SpaceCalls(session);
        if (builder.signUp != null) {
            session.signUpFirst(builder.signUp);
        } else if (builder.logIn != null) {
            session.logInFirst(builder.logIn);
        }
    }

    public static DuetClientBuilder builder() {
        return new DuetClientBuilder();
    }

    /** Connects; the future completes when the first session is up, or fails if the server refuses the token. */
    public CompletableFuture<Void> connect() {
        return session.start();
    }

    /** Sends a text message; completes with its sequence number once it is durable. */
    public CompletableFuture<SendMessageResult> send(String text) {
        return session.send(Objects.requireNonNull(text, "text"));
    }

    /** Sends a sticker message (kind STICKER), like {@link #send}. */
    public CompletableFuture<SendMessageResult> sendSticker(String packId, String stickerId) {
        return session.sendSticker(new StickerRef(Objects.requireNonNull(packId, "packId"),
                Objects.requireNonNull(stickerId, "stickerId")));
    }

    /**
     * Replaces the text of this user's message {@code seq} (a text message, or a photo's caption); completes
     * with the message as it is now, once durable. Every device of both partners hears {@link
     * DuetListener#onMessageChanged}. The last edit wins; see {@link #editMessage(long, String, long)}.
     */
    public CompletableFuture<Message> editMessage(long seq, String text) {
        return editMessage(new EditMessageRequest(seq, Objects.requireNonNull(text, "text")));
    }

    /**
     * As {@link #editMessage(long, String)}, if the message is still at {@code expectedVersion}; otherwise
     * fails with {@link io.duet.protocol.api.MessageConflict}, carrying the message as it is now.
     */
    public CompletableFuture<Message> editMessage(long seq, String text, long expectedVersion) {
        return editMessage(new EditMessageRequest(seq, Objects.requireNonNull(text, "text"))
                .setExpectedVersion(expectedVersion));
    }

    private CompletableFuture<Message> editMessage(EditMessageRequest request) {
        return session.call(commonConstants.CHAT_SERVICE, "editMessage",
                new ChatService.editMessage_args(request), new ChatService.editMessage_result(),
                // The same text twice is one edit; against a version, a repeat would meet its own change.
                request.isSetExpectedVersion() ? ClientSession.Retry.AT_MOST_ONCE : ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /**
     * Deletes this user's message {@code seq}, leaving a tombstone; completes with the tombstone. The delete
     * wins over any edit; see {@link #deleteMessage(long, long)}.
     */
    public CompletableFuture<Message> deleteMessage(long seq) {
        return deleteMessage(new DeleteMessageRequest(seq));
    }

    /**
     * As {@link #deleteMessage(long)}, if the message is still at {@code expectedVersion} (or deleted already:
     * the tombstone); otherwise fails with {@link io.duet.protocol.api.MessageConflict}, carrying the message
     * as it is now.
     */
    public CompletableFuture<Message> deleteMessage(long seq, long expectedVersion) {
        return deleteMessage(new DeleteMessageRequest(seq).setExpectedVersion(expectedVersion));
    }

    private CompletableFuture<Message> deleteMessage(DeleteMessageRequest request) {
        // A repeat meets the tombstone, which is the answer, with or without a version.
        return session.call(commonConstants.CHAT_SERVICE, "deleteMessage", new ChatService.deleteMessage_args(request),
                new ChatService.deleteMessage_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** Tells the partner this user is (or is no longer) typing; refresh every few seconds while typing. */
    public CompletableFuture<Void> setTyping(boolean typing) {
        return session.setTyping(typing).thenApply(result -> null);
    }

    /**
     * The page of at most {@code limit} sequence numbers after {@code afterSeq}, oldest first. Page on with
     * the result's nextCursor (not the last message's sequence number: messages the server lost are left
     * out and named in the page's missing ranges) while hasMore.
     */
    public CompletableFuture<HistoryPage> fetchHistory(long afterSeq, int limit) {
        return session.fetchHistory(afterSeq, limit);
    }

    /**
     * The page of at most {@code limit} sequence numbers right before {@code beforeSeq}, oldest first;
     * {@code Long.MAX_VALUE} for the newest page. Page on with the result's nextCursor while hasMore.
     */
    public CompletableFuture<HistoryPage> fetchHistoryBefore(long beforeSeq, int limit) {
        return session.call(commonConstants.CHAT_SERVICE, "fetchHistory",
                new ChatService.fetchHistory_args(new FetchHistoryRequest(0, limit).setBeforeSeq(beforeSeq)),
                new ChatService.fetchHistory_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /**
     * Marks the messages up to {@code upToSeq} read, once it is durable; both partners' devices hear
     * {@link DuetListener#onRead}. A mark below the current one changes nothing.
     */
    public CompletableFuture<ReadState> markRead(long upToSeq) {
        return session.call(commonConstants.CHAT_SERVICE, "markRead",
                new ChatService.markRead_args(new MarkReadRequest(upToSeq)), new ChatService.markRead_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** Both partners' read marks and this user's unread count. */
    public CompletableFuture<ReadState> readState() {
        return session.call(commonConstants.CHAT_SERVICE, "getReadState",
                new ChatService.getReadState_args(new GetReadStateRequest()), new ChatService.getReadState_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** Every memo of the couple, the most recently changed first. */
    public CompletableFuture<MemoList> listMemos() {
        return space.listMemos();
    }

    /** One memo of the couple, as it is now; NOT_FOUND when it is not the couple's. */
    public CompletableFuture<Memo> getMemo(long memoId) {
        return space.getMemo(memoId);
    }

    /** Creates a memo, under a new random {@code clientMemoId}; {@link #createMemo(CreateMemoRequest)} retries safely. */
    public CompletableFuture<Memo> createMemo(String title, String text) {
        return space.createMemo(title, text);
    }

    /**
     * Creates a memo. Sending the same request again (after a failure whose outcome is unknown, such as a
     * lost connection) is safe when it names a {@code clientMemoId}: it returns the memo the first attempt
     * made, as it is now, instead of a second one.
     */
    public CompletableFuture<Memo> createMemo(CreateMemoRequest request) {
        return space.createMemo(request);
    }

    /**
     * Changes what the request sets, if the memo is still at its expected version; otherwise the future
     * fails with {@link io.duet.protocol.api.MemoConflict}, carrying the memo as it is now.
     */
    public CompletableFuture<Memo> editMemo(EditMemoRequest request) {
        return space.editMemo(request);
    }

    /** Deletes a memo still at {@code expectedVersion}; otherwise fails with {@link io.duet.protocol.api.MemoConflict}. */
    public CompletableFuture<Void> deleteMemo(long memoId, long expectedVersion) {
        return space.deleteMemo(memoId, expectedVersion);
    }

    /** Up to {@code limit} anniversaries and events from today to today plus {@code withinDays}, soonest first. */
    public CompletableFuture<UpcomingList> listUpcoming(int limit, int withinDays) {
        return space.listUpcoming(limit, withinDays);
    }

    /** The couple's calendar: start date, time zone, today's day count and every event. */
    public CompletableFuture<Calendar> calendar() {
        return space.calendar();
    }

    /** Sets the couple's start date and time zone, whichever the request sets; completes with the calendar. */
    public CompletableFuture<Calendar> setCalendar(SetCalendarRequest request) {
        return space.setCalendar(request);
    }

    /** Adds a birthday or a custom event; a call lost after it was written fails with "outcome unknown". */
    public CompletableFuture<CalendarEvent> addEvent(AddEventRequest request) {
        return space.addEvent(request);
    }

    /** Deletes one of the couple's events. */
    public CompletableFuture<Void> deleteEvent(long eventId) {
        return space.deleteEvent(eventId);
    }

    /**
     * Uploads the photo in {@code file} (JPEG, PNG or WebP; {@code caption} may be null): the server signs an
     * upload over this session, the bytes go over HTTP straight to the object store, and the server then
     * checks them, makes the variants and posts a photo message (both partners' devices get it). The file
     * is read on the common fork-join pool, never on the session's event loop.
     */
    public CompletableFuture<Photo> uploadPhoto(Path file, String caption) {
        return space.uploadPhoto(file, caption);
    }

    /** Up to {@code limit} photos, newest first, after {@code cursor} (null: from the newest). */
    public CompletableFuture<PhotoList> listPhotos(int limit, String cursor) {
        return space.listPhotos(limit, cursor);
    }

    /** One photo's metadata; NOT_FOUND when it is not the couple's. */
    public CompletableFuture<Photo> photo(String photoId) {
        return space.photo(photoId);
    }

    /** A presigned URL of one variant of a photo (FULL when {@code variant} is null), valid for minutes. */
    public CompletableFuture<PhotoUrl> photoUrl(String photoId, PhotoVariant variant) {
        return space.photoUrl(photoId, variant);
    }

    /**
     * Presigned URLs of many photos in one call (1 to {@code MAX_PHOTO_URLS} ids, all of {@code variant}, FULL
     * when null), for a screen of thumbnails: one entry per id, in order, each with a URL or NOT_FOUND.
     */
    public CompletableFuture<PhotoUrls> photoUrls(List<String> photoIds, PhotoVariant variant) {
        return space.photoUrls(photoIds, variant);
    }

    /**
     * Downloads one variant of a photo (FULL when {@code variant} is null) into {@code target}, replaced only
     * once the whole photo arrived: a download that fails, or that the app cancels through the returned
     * future, leaves {@code target} as it was and no partial file.
     */
    public CompletableFuture<Path> downloadPhoto(String photoId, PhotoVariant variant, Path target) {
        return space.downloadPhoto(photoId, variant, target);
    }

    /** Deletes the photo's objects and metadata. */
    public CompletableFuture<Void> deletePhoto(String photoId) {
        return space.deletePhoto(photoId);
    }

    /**
     * A new invite code for this user, who must not be paired yet; the partner accepts it ({@link
     * #acceptInvite}, or over HTTP).
     */
    public CompletableFuture<Invite> createInvite() {
        return session.call(commonConstants.PAIRING_SERVICE, "createInvite",
                new PairingService.createInvite_args(new CreateInviteRequest()), new PairingService.createInvite_result(),
                ClientSession.Retry.AT_MOST_ONCE);
    }

    /**
     * Pairs this user with the invite's author. Both partners' sessions then renew their tokens to carry the
     * couple and reconnect on their own ({@link DuetListener#onSessionRefreshed} reports the new session).
     */
    public CompletableFuture<Session> acceptInvite(String code) {
        return session.call(commonConstants.PAIRING_SERVICE, "acceptInvite",
                new PairingService.acceptInvite_args(new AcceptInviteRequest(Objects.requireNonNull(code, "code"))),
                new PairingService.acceptInvite_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** The couple's profile: both partners, the nicknames they gave each other, the start date. */
    public CompletableFuture<CoupleProfile> coupleProfile() {
        return session.call(commonConstants.PAIRING_SERVICE, "getCoupleProfile",
                new PairingService.getCoupleProfile_args(new GetCoupleProfileRequest()),
                new PairingService.getCoupleProfile_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** Sets what this user calls the partner ({@code nickname} null: clears it); both partners are told. */
    public CompletableFuture<CoupleProfile> setNickname(String nickname) {
        SetNicknameRequest request = new SetNicknameRequest();
        if (nickname != null) {
            request.setNickname(nickname);
        }
        return session.call(commonConstants.PAIRING_SERVICE, "setNickname",
                new PairingService.setNickname_args(request), new PairingService.setNickname_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /**
     * Ends the couple and deletes its data, for both partners, after checking {@code password} (this user's)
     * again; a wrong one fails with UNAUTHENTICATED. The session then ends with COUPLE_CLOSED ({@link
     * DuetListener#onSessionRejected}); the returned session (without a couple) is the one to use next.
     */
    public CompletableFuture<Session> unpair(String password) {
        return session.call(commonConstants.PAIRING_SERVICE, "unpair",
                new PairingService.unpair_args(new UnpairRequest().setPassword(Objects.requireNonNull(password, "password"))), new PairingService.unpair_result(), ClientSession.Retry.AT_MOST_ONCE);
    }

    /** Ends this device's session (its tokens stop working); the connection then ends with TOKEN_REVOKED. */
    public CompletableFuture<Void> logOut() {
        return session.<Void>call(commonConstants.ACCOUNT_SERVICE, "logOut",
                new AccountService.logOut_args(new LogOutRequest()), new AccountService.logOut_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /** Ends every session of this user's account, on every device, this one included. */
    public CompletableFuture<Void> logOutEverywhere() {
        return session.<Void>call(commonConstants.ACCOUNT_SERVICE, "logOutEverywhere",
                new AccountService.logOutEverywhere_args(new LogOutEverywhereRequest()),
                new AccountService.logOutEverywhere_result(), ClientSession.Retry.SAFE_TO_REPEAT);
    }

    /**
     * Deletes this user's account after checking {@code password} again (docs/COUPLE-LIFECYCLE.md): the
     * couple, if any, is closed and its data deleted, and every session ends. A wrong password fails with
     * UNAUTHENTICATED.
     */
    public CompletableFuture<Void> deleteAccount(String password) {
        return session.<DeleteAccountResult>call(commonConstants.ACCOUNT_SERVICE, "deleteAccount",
                new AccountService.deleteAccount_args(new DeleteAccountRequest(Objects.requireNonNull(password, "password"))),
                new AccountService.deleteAccount_result(), ClientSession.Retry.AT_MOST_ONCE).thenApply(result -> null);
    }

    /** Sets this device's push token; see DeviceService. */
    public CompletableFuture<Void> registerPushToken(PushPlatform platform, String token) {
        return session.<RegisterPushTokenResult>call(commonConstants.DEVICE_SERVICE, "registerPushToken",
                new DeviceService.registerPushToken_args(new RegisterPushTokenRequest(platform, token)),
                new DeviceService.registerPushToken_result(), ClientSession.Retry.SAFE_TO_REPEAT).thenApply(result -> null);
    }

    /** Removes this device's push token: it gets no more pushes. */
    public CompletableFuture<Void> unregisterPushToken() {
        return session.<UnregisterPushTokenResult>call(commonConstants.DEVICE_SERVICE,
                "unregisterPushToken", new DeviceService.unregisterPushToken_args(new UnregisterPushTokenRequest()),
                new DeviceService.unregisterPushToken_result(), ClientSession.Retry.SAFE_TO_REPEAT).thenApply(result -> null);
    }

    /**
     * The last sequence number the listener handled (returned from; see {@link DuetListener}) with none
     * missing before it. Persist it to resume from ({@link DuetClientBuilder#resumeAfter(long, long)}).
     */
    public long lastSeq() {
        return session.lastSeq();
    }

    /**
     * The highest change number (an edit or delete of a message) applied: the listener handled (returned
     * from) every change up to it of the messages up to {@link #lastSeq()}. Persist it beside {@link
     * #lastSeq()} ({@link DuetClientBuilder#resumeAfter(long, long)}) to be sent the changes made while the app was away.
     */
    public long lastChange() {
        return session.lastChange();
    }

    /** The TLS handshakes of this client's connections so far, full and resumed ({@link DuetClientBuilder#tls}). */
    public TlsHandshakes tlsHandshakes() {
        return session.tlsHandshakes();
    }

    public ConnectionState state() {
        return session.state();
    }

    /**
     * How many sends are pending: their futures have not completed, because they wait for a connection
     * or for the server's acknowledgement. While {@link #state()} is not {@link ConnectionState#CONNECTED}
     * they wait, and they go out again, in order and with the same ids, once it is; show the count with
     * {@link DuetListener#onConnectionChanged} so the user knows. A send leaves the count just before its
     * future completes; {@link #close()} fails the ones still pending.
     */
    public int pendingSends() {
        return session.pendingSends();
    }

    /** The couple of the current session, or 0 before pairing. */
    public long coupleId() {
        return session.coupleId();
    }

    /** Closes the session; unacknowledged sends fail. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        session.close().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        callbacks.shutdown();
    }
}
