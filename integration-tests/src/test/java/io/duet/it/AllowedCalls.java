package io.duet.it;

import static io.duet.it.ApiCall.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetHttp;
import io.duet.it.AuthorizationMatrixIT.Transport;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.CreateUploadRequest;
import io.duet.protocol.api.DeleteAccountRequest;
import io.duet.protocol.api.DeleteEventRequest;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DeleteMessageRequest;
import io.duet.protocol.api.DeletePhotoRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.FinishUploadRequest;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.GetCalendarRequest;
import io.duet.protocol.api.GetCoupleProfileRequest;
import io.duet.protocol.api.GetMemoRequest;
import io.duet.protocol.api.GetPhotoRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetPhotoUrlsRequest;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.ListMemosRequest;
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.LogOutEverywhereRequest;
import io.duet.protocol.api.LogOutRequest;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.SetNicknameRequest;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.UnpairRequest;
import io.duet.protocol.api.UnregisterPushTokenRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;

/**
 * The other side of the authorization matrix: for every client API method, a call its rightful caller makes,
 * prepared fresh on the cluster (a memo to edit, an upload to finish, a user of its own to log out or
 * delete), over each transport that carries the method, which must succeed; a few then check what the call
 * did. Anonymous calls (sign-up, log-in) go over TCP before the session's AUTH frame.
 */
final class AllowedCalls {
    static final String PASSWORD = "correct horse battery";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Set<Transport> BOTH = EnumSet.allOf(Transport.class);

    private AllowedCalls() {
    }

    /**
     * One prepared call: who makes it ({@code token}, null for none), the request, what else than OK a TCP
     * session may see instead of the reply (the call ends the session it came on), and a check of its effect.
     */
    record Call(String token, TBase<?, ?> request, Set<String> orOverTcp, Check check) {
        static Call of(String token, TBase<?, ?> request) {
            return new Call(token, request, Set.of(), result -> { });
        }

        Call checking(Check then) {
            return new Call(token, request, orOverTcp, then);
        }

        Call orOverTcp(String outcome) {
            return new Call(token, request, Set.of(outcome), check);
        }
    }

    /** What a call must have done, given its result struct (null when a TCP session ended instead). */
    @FunctionalInterface
    interface Check {
        void verify(TBase<?, ?> result) throws Exception;
    }

    @FunctionalInterface
    interface Prepare {
        Call prepare(Owners owners) throws Exception;
    }

    record Entry(Set<Transport> transports, Prepare prepare) {
    }

    /** A couple with a message of each partner and a photo, and a way to make users of their own. */
    static final class Owners {
        final DuetHttp http;
        final Session ann;
        final Session bob;
        final long annSeq;
        final String photoId;

        Owners(DuetHttp http) throws Exception {
            this.http = http;
            Session[] pair = pair();
            this.ann = pair[0];
            this.bob = pair[1];
            this.annSeq = http.sendMessage(ann.getToken(), UUID.randomUUID().toString(), "ann's").getSeq();
            http.sendMessage(bob.getToken(), UUID.randomUUID().toString(), "bob's");
            this.photoId = upload(ann.getToken());
        }

        /** A new user, not paired: its session (whose refresh token works) and email. */
        User newUser() throws Exception {
            String email = TestCouple.uniqueEmail("allowed");
            return new User(http.signUp(email, PASSWORD, "Allowed"), email);
        }

        String upload(String token) throws Exception {
            PhotoUpload upload = putUpload(token);
            return http.finishUpload(token, upload.getUploadId(), null).getPhotoId();
        }

        PhotoUpload putUpload(String token) throws Exception {
            byte[] bytes = png();
            PhotoUpload upload = http.createUpload(token, bytes.length);
            HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(upload.getUploadUrl()))
                    .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
            upload.getHeaders().forEach(put::header);
            assertThat(HTTP.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            return upload;
        }

        /**
         * Signs up two users and pairs them: their sessions that carry the couple, then their sign-ups'
         * sessions (whose refresh tokens renew the paired sessions).
         */
        Session[] pair() throws Exception {
            User a = newUser();
            User b = newUser();
            Session bPaired = http.acceptInvite(b.session().getToken(), http.createInvite(a.session().getToken()).getCode());
            return new Session[] {http.refreshSession(a.session().getToken()), bPaired, a.session(), b.session()};
        }

        private static byte[] png() throws Exception {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", out);
            return out.toByteArray();
        }
    }

    record User(Session session, String email) {
        String token() {
            return session.getToken();
        }
    }

    private static Entry both(Prepare prepare) {
        return new Entry(BOTH, prepare);
    }

    private static Entry only(Transport transport, Prepare prepare) {
        return new Entry(EnumSet.of(transport), prepare);
    }

    /** The refresh token of {@code user} no longer renews its session. */
    private static Check loggedOut(DuetHttp http, User user) {
        return result -> assertThatThrownBy(() -> http.refreshWith(user.session().getRefreshToken()))
                .isInstanceOf(DuetError.class);
    }

    /** Every client API method's allowed call, by {@code service:method}. */
    static Map<String, Entry> entries() {
        String revoked = session(SessionErrorCode.TOKEN_REVOKED);
        return Map.ofEntries(
                Map.entry("account:signUp", both(o -> Call.of(null,
                        new SignUpRequest(TestCouple.uniqueEmail("signup"), PASSWORD, "New", "allowed-phone")))),
                Map.entry("account:logIn", both(o -> Call.of(null,
                        new LogInRequest(o.newUser().email(), PASSWORD, "allowed-tablet")))),
                Map.entry("account:refreshSession", both(o -> Call.of(o.ann.getToken(), new RefreshSessionRequest()))),
                Map.entry("account:logOut", both(o -> {
                    User user = o.newUser();
                    return Call.of(user.token(), new LogOutRequest()).orOverTcp(revoked).checking(loggedOut(o.http, user));
                })),
                Map.entry("account:logOutEverywhere", both(o -> {
                    User user = o.newUser();
                    return Call.of(user.token(), new LogOutEverywhereRequest()).orOverTcp(revoked)
                            .checking(loggedOut(o.http, user));
                })),
                Map.entry("account:deleteAccount", both(o -> {
                    User user = o.newUser();
                    return Call.of(user.token(), new DeleteAccountRequest(PASSWORD)).orOverTcp(revoked)
                            .checking(result -> assertThatThrownBy(() -> o.http.logIn(user.email(), PASSWORD))
                                    .isInstanceOfSatisfying(DuetError.class,
                                            e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED)));
                })),
                Map.entry("pairing:createInvite", both(o -> Call.of(o.newUser().token(), new CreateInviteRequest()))),
                Map.entry("pairing:acceptInvite", both(o -> {
                    String code = o.http.createInvite(o.newUser().token()).getCode();
                    User acceptor = o.newUser();
                    return Call.of(acceptor.token(), new AcceptInviteRequest(code)).checking(result ->
                            assertThat(o.http.logIn(acceptor.email(), PASSWORD).isSetCoupleId()).isTrue());
                })),
                Map.entry("pairing:getCoupleProfile", both(o -> Call.of(o.ann.getToken(), new GetCoupleProfileRequest()))),
                Map.entry("pairing:setNickname", both(o -> Call.of(o.ann.getToken(),
                        new SetNicknameRequest().setNickname("Honey")))),
                Map.entry("pairing:unpair", both(o -> {
                    Session[] pair = o.pair();
                    return Call.of(pair[0].getToken(), new UnpairRequest().setPassword(PASSWORD))
                            .orOverTcp(session(SessionErrorCode.COUPLE_CLOSED))
                            .checking(result -> assertThat(o.http.refreshWith(pair[3].getRefreshToken()).isSetCoupleId())
                                    .as("the partner is unpaired").isFalse());
                })),
                Map.entry("chat:sendMessage", both(o -> Call.of(o.ann.getToken(),
                        new SendMessageRequest().setClientMessageId(UUID.randomUUID().toString()).setText("allowed")))),
                Map.entry("chat:setTyping", both(o -> Call.of(o.ann.getToken(), new SetTypingRequest(true)))),
                Map.entry("chat:subscribe", both(o -> Call.of(o.ann.getToken(), new SubscribeRequest(0)))),
                Map.entry("feed:pollEvents", both(o -> Call.of(o.bob.getToken(), new PollEventsRequest(0))
                        .checking(result -> assertThat(((FeedPage) success(result)).getAfterSeq())
                                .as("the feed caught up on the couple's messages").isGreaterThanOrEqualTo(o.annSeq)))),
                Map.entry("chat:fetchHistory", both(o -> Call.of(o.bob.getToken(), new FetchHistoryRequest(0, 50)))),
                Map.entry("chat:markRead", both(o -> Call.of(o.bob.getToken(), new MarkReadRequest(o.annSeq)))),
                Map.entry("chat:getReadState", both(o -> Call.of(o.bob.getToken(), new GetReadStateRequest()))),
                Map.entry("chat:editMessage", both(o -> Call.of(o.ann.getToken(), new EditMessageRequest(o.annSeq, "edited")))),
                Map.entry("chat:deleteMessage", both(o -> Call.of(o.ann.getToken(), new DeleteMessageRequest(
                        o.http.sendMessage(o.ann.getToken(), UUID.randomUUID().toString(), "doomed").getSeq())))),
                Map.entry("memo:createMemo", both(o -> Call.of(o.bob.getToken(), new CreateMemoRequest("title", "text")))),
                Map.entry("memo:getMemo", both(o -> Call.of(o.bob.getToken(),
                        new GetMemoRequest(o.http.createMemo(o.ann.getToken(), "t", "x").getMemoId())))),
                Map.entry("memo:editMemo", both(o -> {
                    Memo memo = o.http.createMemo(o.ann.getToken(), "t", "x");
                    return Call.of(o.bob.getToken(), new EditMemoRequest(memo.getMemoId(), memo.getVersion()).setText("y"));
                })),
                Map.entry("memo:deleteMemo", both(o -> {
                    Memo memo = o.http.createMemo(o.ann.getToken(), "t", "x");
                    return Call.of(o.bob.getToken(), new DeleteMemoRequest(memo.getMemoId(), memo.getVersion()));
                })),
                Map.entry("memo:listMemos", both(o -> Call.of(o.ann.getToken(), new ListMemosRequest()))),
                Map.entry("calendar:getCalendar", both(o -> Call.of(o.ann.getToken(), new GetCalendarRequest()))),
                Map.entry("calendar:setCalendar", both(o -> Call.of(o.bob.getToken(),
                        new SetCalendarRequest().setStartDate("2021-03-04").setTimeZone("Asia/Seoul")))),
                Map.entry("calendar:addEvent", both(o -> Call.of(o.ann.getToken(),
                        new AddEventRequest(EventKind.CUSTOM, "trip", "2022-05-06", true)))),
                Map.entry("calendar:deleteEvent", both(o -> Call.of(o.bob.getToken(), new DeleteEventRequest(
                        o.http.addEvent(o.ann.getToken(), new AddEventRequest(EventKind.CUSTOM, "x", "2022-01-01", false))
                                .getEventId())))),
                Map.entry("calendar:listUpcoming", both(o -> Call.of(o.ann.getToken(), new ListUpcomingRequest()))),
                Map.entry("photo:createUpload", both(o -> Call.of(o.ann.getToken(), new CreateUploadRequest(1000)))),
                Map.entry("photo:finishUpload", both(o -> Call.of(o.ann.getToken(),
                        new FinishUploadRequest(o.putUpload(o.ann.getToken()).getUploadId())))),
                Map.entry("photo:getPhoto", both(o -> Call.of(o.bob.getToken(), new GetPhotoRequest(o.photoId)))),
                Map.entry("photo:listPhotos", both(o -> Call.of(o.bob.getToken(), new ListPhotosRequest()))),
                Map.entry("photo:getPhotoUrl", both(o -> Call.of(o.bob.getToken(), new GetPhotoUrlRequest(o.photoId)))),
                Map.entry("photo:getPhotoUrls", both(o -> Call.of(o.bob.getToken(),
                        new GetPhotoUrlsRequest(List.of(new GetPhotoUrlRequest(o.photoId)))).checking(result -> {
                            PhotoUrls urls = (PhotoUrls) success(result);
                            assertThat(urls.getEntries()).singleElement().satisfies(e -> assertThat(e.isSetUrl()).isTrue());
                        }))),
                Map.entry("photo:deletePhoto", both(o -> Call.of(o.bob.getToken(),
                        new DeletePhotoRequest(o.upload(o.ann.getToken()))))),
                Map.entry("device:registerPushToken", both(o -> Call.of(o.ann.getToken(),
                        new RegisterPushTokenRequest(PushPlatform.APNS, "a".repeat(64))))),
                Map.entry("device:unregisterPushToken", both(o -> Call.of(o.ann.getToken(), new UnregisterPushTokenRequest()))));
    }

    /** The value a successful call returned, from its result struct (field 0). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static Object success(TBase<?, ?> result) {
        TBase raw = result;
        TFieldIdEnum field = raw.fieldForId(0);
        return raw.getFieldValue(field);
    }
}
