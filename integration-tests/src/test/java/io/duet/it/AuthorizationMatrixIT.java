package io.duet.it;

import static io.duet.it.ApiCall.duetError;
import static io.duet.it.ApiCall.http;
import static io.duet.it.ApiCall.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.api.ApiServices;
import io.duet.app.rpc.ServiceBinding;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
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
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.FinishUploadRequest;
import io.duet.protocol.api.GetCalendarRequest;
import io.duet.protocol.api.GetCoupleProfileRequest;
import io.duet.protocol.api.GetMemoRequest;
import io.duet.protocol.api.GetPhotoRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetPhotoUrlsRequest;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.ListMemosRequest;
import io.duet.protocol.api.ListPhotosRequest;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.LogOutEverywhereRequest;
import io.duet.protocol.api.LogOutRequest;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoUrlEntry;
import io.duet.protocol.api.PhotoUrls;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.RefreshSessionRequest;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.SetNicknameRequest;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.UnpairRequest;
import io.duet.protocol.api.UnregisterPushTokenRequest;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.apache.thrift.AsyncProcessFunction;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The authorization matrix: every client API method, enumerated from the application server's registry
 * ({@link ApiServices#catalogue()}), is called over HTTP and over TCP with the victim couple's ids in its
 * arguments and with each hostile credential ({@link Credential}): no token, an expired token, a revoked
 * token, and tokens signed with the cluster's secret whose claims lie (a user with another couple, a
 * user with another user's session). Every call must be denied with its typed error; then the victim
 * couple's state is checked unchanged. The other side: each method's rightful caller succeeds, over each
 * transport that carries it ({@link AllowedCalls}). A method without an entry on both sides fails the test:
 * a new method or service joins the matrix by getting them.
 *
 * <p>The client API carries no user or couple ids in its requests (who calls is the token's), so the
 * other couple's ids go where a request can name them: the victim's email, a refresh token naming the
 * victim, the victim's (used) invite code and message ids.
 */
class AuthorizationMatrixIT {
    private static final String PASSWORD = "correct horse battery";
    private static final String WRONG_PASSWORD = "wrong horse battery";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Who calls. */
    enum Credential {
        NONE, EXPIRED, REVOKED,
        /** The attacker's own user and session, signed, naming the victim's couple. */
        WRONG_COUPLE,
        /** The victim's user id with the attacker's couple and session, signed. */
        WRONG_USER
    }

    enum Transport { HTTP, TCP }

    /** What a request can name of the victim couple. */
    record Victims(String annEmail, String bobEmail, String forgedRefreshToken, String usedInviteCode,
            String messageId, long memoId, long memoVersion, long eventId, String photoId) {
    }

    /**
     * A method's entry: the requests to send (each naming the victim), and, for a method that needs no
     * token, the errors those requests get on their own merits.
     */
    record Entry(List<Function<Victims, TBase<?, ?>>> requests, Set<ErrorCode> withoutToken) {
        static Entry needsToken(Function<Victims, TBase<?, ?>> request) {
            return new Entry(List.of(request), null);
        }

        @SafeVarargs
        static Entry anonymous(Set<ErrorCode> refusal, Function<Victims, TBase<?, ?>>... requests) {
            return new Entry(List.of(requests), refusal);
        }
    }

    private static final Map<String, Entry> MATRIX = Map.ofEntries(
            Map.entry("account:signUp", Entry.anonymous(Set.of(ErrorCode.ALREADY_EXISTS),
                    v -> new SignUpRequest(v.bobEmail(), WRONG_PASSWORD, "Mallory", "mallory-phone"))),
            Map.entry("account:logIn", Entry.anonymous(Set.of(ErrorCode.UNAUTHENTICATED),
                    v -> new LogInRequest(v.annEmail(), WRONG_PASSWORD, "mallory-phone"))),
            Map.entry("account:refreshSession", Entry.anonymous(Set.of(ErrorCode.UNAUTHENTICATED,
                    ErrorCode.PERMISSION_DENIED),
                    v -> new RefreshSessionRequest().setRefreshToken(v.forgedRefreshToken()),
                    v -> new RefreshSessionRequest())),
            Map.entry("account:logOut", Entry.needsToken(v -> new LogOutRequest())),
            Map.entry("account:logOutEverywhere", Entry.needsToken(v -> new LogOutEverywhereRequest())),
            Map.entry("account:deleteAccount", Entry.needsToken(v -> new DeleteAccountRequest(WRONG_PASSWORD))),
            Map.entry("pairing:createInvite", Entry.needsToken(v -> new CreateInviteRequest())),
            Map.entry("pairing:acceptInvite", Entry.needsToken(v -> new AcceptInviteRequest(v.usedInviteCode()))),
            Map.entry("pairing:getCoupleProfile", Entry.needsToken(v -> new GetCoupleProfileRequest())),
            Map.entry("pairing:setNickname", Entry.needsToken(v -> new SetNicknameRequest().setNickname("hijacked"))),
            // With the victim's right password: the token alone must still be refused.
            Map.entry("pairing:unpair", Entry.needsToken(v -> new UnpairRequest().setPassword(PASSWORD))),
            Map.entry("chat:sendMessage", Entry.needsToken(v -> new SendMessageRequest(v.messageId(), "hijacked", 1))),
            Map.entry("chat:setTyping", Entry.needsToken(v -> new SetTypingRequest(true))),
            Map.entry("chat:subscribe", Entry.needsToken(v -> new SubscribeRequest(0))),
            Map.entry("chat:fetchHistory", Entry.needsToken(v -> new FetchHistoryRequest(0, 500))),
            Map.entry("chat:markRead", Entry.needsToken(v -> new MarkReadRequest(Long.MAX_VALUE))),
            Map.entry("chat:getReadState", Entry.needsToken(v -> new GetReadStateRequest())),
            // The victims' first message is Ann's: the one the attacker would most like to change.
            Map.entry("chat:editMessage", Entry.needsToken(v -> new EditMessageRequest(1, "hijacked"))),
            Map.entry("chat:deleteMessage", Entry.needsToken(v -> new DeleteMessageRequest(1))),
            Map.entry("feed:pollEvents", Entry.needsToken(v -> new PollEventsRequest(0).setAfterChange(0))),
            Map.entry("memo:createMemo", Entry.needsToken(v -> new CreateMemoRequest("hijacked", "hijacked"))),
            Map.entry("memo:getMemo", Entry.needsToken(v -> new GetMemoRequest(v.memoId()))),
            Map.entry("memo:editMemo", Entry.needsToken(v -> new EditMemoRequest(v.memoId(), v.memoVersion())
                    .setText("hijacked"))),
            Map.entry("memo:deleteMemo", Entry.needsToken(v -> new DeleteMemoRequest(v.memoId(), v.memoVersion()))),
            Map.entry("memo:listMemos", Entry.needsToken(v -> new ListMemosRequest())),
            Map.entry("calendar:getCalendar", Entry.needsToken(v -> new GetCalendarRequest())),
            Map.entry("calendar:setCalendar", Entry.needsToken(v -> new SetCalendarRequest().setStartDate("2001-01-01")
                    .setTimeZone("UTC"))),
            Map.entry("calendar:addEvent", Entry.needsToken(v -> new AddEventRequest(EventKind.CUSTOM, "hijacked",
                    "2001-01-01", false))),
            Map.entry("calendar:deleteEvent", Entry.needsToken(v -> new DeleteEventRequest(v.eventId()))),
            Map.entry("calendar:listUpcoming", Entry.needsToken(v -> new ListUpcomingRequest())),
            Map.entry("photo:createUpload", Entry.needsToken(v -> new CreateUploadRequest(1000))),
            Map.entry("photo:finishUpload", Entry.needsToken(v -> new FinishUploadRequest(v.photoId()))),
            Map.entry("photo:getPhoto", Entry.needsToken(v -> new GetPhotoRequest(v.photoId()))),
            Map.entry("photo:listPhotos", Entry.needsToken(v -> new ListPhotosRequest())),
            Map.entry("photo:getPhotoUrl", Entry.needsToken(v -> new GetPhotoUrlRequest(v.photoId()))),
            Map.entry("photo:getPhotoUrls", Entry.needsToken(v -> new GetPhotoUrlsRequest(
                    List.of(new GetPhotoUrlRequest(v.photoId()))))),
            Map.entry("photo:deletePhoto", Entry.needsToken(v -> new DeletePhotoRequest(v.photoId()))),
            Map.entry("device:registerPushToken", Entry.needsToken(v -> new RegisterPushTokenRequest(PushPlatform.APNS,
                    "hijacked"))),
            Map.entry("device:unregisterPushToken", Entry.needsToken(v -> new UnregisterPushTokenRequest())));

    private static LocalCluster cluster;
    private static DuetHttp http;
    private static Pair victim;
    private static Pair attacker;
    private static Victims victims;
    private static Map<Credential, String> tokens;
    private static List<String> victimTexts;
    private static Memo victimMemo;
    private static Photo victimPhoto;
    private static final String VICTIM_START_DATE = "2019-05-05";

    /** Two users who signed up and paired, the invite code that paired them, and their emails. */
    record Pair(Session first, Session second, String firstEmail, String secondEmail, String code) {
    }

    private static Pair pair(String first, String second) throws Exception {
        String firstEmail = TestCouple.uniqueEmail(first);
        String secondEmail = TestCouple.uniqueEmail(second);
        Session a = http.signUp(firstEmail, PASSWORD, first);
        Session b = http.signUp(secondEmail, PASSWORD, second);
        String code = http.createInvite(a.getToken()).getCode();
        // The pairing and the refresh renew only the access tokens: the refresh tokens are the sign-ups'.
        Session bPaired = http.acceptInvite(b.getToken(), code).setRefreshToken(b.getRefreshToken());
        Session aPaired = http.refreshSession(a.getToken()).setRefreshToken(a.getRefreshToken());
        return new Pair(aPaired, bPaired, firstEmail, secondEmail, code);
    }

    /** A small PNG in a temporary file, deleted when the JVM exits. */
    private static Path victimPhotoFile() throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        Path file = Files.createTempFile("victim-photo-", ".png");
        file.toFile().deleteOnExit();
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static String randomBase64(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    @BeforeAll
    static void victimAndAttacker() throws Exception {
        cluster = SharedCluster.get();
        http = TestCouple.http(cluster, 0, "matrix-device");
        victim = pair("ann", "bob");
        attacker = pair("mallory", "trent");
        victimTexts = List.of("victim secret " + UUID.randomUUID(), "victim reply " + UUID.randomUUID(),
                "victim photo " + UUID.randomUUID());
        String messageId = "victim-" + UUID.randomUUID();
        http.sendMessage(victim.first().getToken(), messageId, victimTexts.get(0));
        http.sendMessage(victim.second().getToken(), "victim-" + UUID.randomUUID(), victimTexts.get(1));
        victimMemo = http.createMemo(victim.first().getToken(), "victim memo", "victim memo " + UUID.randomUUID());
        // Its photo message is the victims' third message: its caption is the text.
        victimPhoto = http.uploadPhoto(victim.second().getToken(), victimPhotoFile(), victimTexts.get(2));
        victimPhoto.unsetMessageSeq(); // only in the upload's result
        http.setCalendar(victim.first().getToken(), VICTIM_START_DATE, "Asia/Seoul");
        CalendarEvent event = http.addEvent(victim.second().getToken(),
                new AddEventRequest(EventKind.CUSTOM, "victim event", "2020-02-02", true));
        victims = new Victims(victim.firstEmail(), victim.secondEmail(),
                "r1." + victim.first().getUserId() + "." + randomBase64(16) + "." + randomBase64(32),
                victim.code(), messageId, victimMemo.getMemoId(), victimMemo.getVersion(), event.getEventId(),
                victimPhoto.getPhotoId());

        TokenCodec codec = TokenCodec.create(cluster.tokenSecret(), List.of(), Clock.systemUTC());
        TokenClaims mallory = codec.verify(attacker.first().getToken());
        TokenClaims ann = codec.verify(victim.first().getToken());
        long now = System.currentTimeMillis();
        // A device session of the victim's that was logged out: a stolen phone's token, revoked.
        Session oldPhone = TestCouple.http(cluster, 1, "ann-old-phone").logIn(victim.firstEmail(), PASSWORD);
        http.logOut(oldPhone.getToken());
        for (int server = 0; server < cluster.presentationServers().size(); server++) {
            awaitRefusedOverHttp(server, oldPhone.getToken());
        }
        tokens = new LinkedHashMap<>();
        tokens.put(Credential.EXPIRED, codec.issue(ann.deepCopy().setIssuedAtMillis(now - 120_000)
                .setExpiresAtMillis(now - 60_000)));
        tokens.put(Credential.REVOKED, oldPhone.getToken());
        tokens.put(Credential.WRONG_COUPLE, codec.issue(mallory.deepCopy().setCoupleId(victim.first().getCoupleId())));
        tokens.put(Credential.WRONG_USER, codec.issue(mallory.deepCopy().setUserId(ann.getUserId())));
    }

    private static void awaitRefusedOverHttp(int server, String token) throws Exception {
        AsyncProcessFunction<?, ?, ?, ?> function = function("chat", "fetchHistory");
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ApiCall.overHttp(cluster.clientHttpEndpoint(server), "chat", function,
                args(function, new FetchHistoryRequest(0, 1)), token).outcome().equals(http(401))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("a logged-out token is still accepted by presentation server " + server);
            }
            Thread.sleep(50);
        }
    }

    private static AsyncProcessFunction<?, ?, ?, ?> function(String service, String method) {
        return ApiServices.catalogue().stream().filter(binding -> binding.name().equals(service)).findFirst()
                .orElseThrow().functions().get(method);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static TBase<?, ?> args(AsyncProcessFunction<?, ?, ?, ?> function, TBase<?, ?> request) {
        TBase args = (TBase) function.getEmptyArgsInstance();
        TFieldIdEnum field = args.fieldForId(1);
        args.setFieldValue(field, request);
        return args;
    }

    /** What a hostile call of {@code entry} may get; anything else is a hole. */
    static Set<String> expected(Entry entry, Credential credential, Transport transport) {
        Set<String> allowed = new TreeSet<>();
        switch (credential) {
            case NONE:
                if (entry.withoutToken() != null) {
                    // Served without a token over both transports (over TCP, before AUTH).
                    entry.withoutToken().forEach(code -> allowed.add(duetError(code)));
                } else if (transport == Transport.TCP) {
                    allowed.add(session(SessionErrorCode.NOT_AUTHENTICATED));
                } else {
                    allowed.add(duetError(ErrorCode.UNAUTHENTICATED));
                }
                return allowed;
            case EXPIRED:
                allowed.add(transport == Transport.HTTP ? http(401) : session(SessionErrorCode.TOKEN_EXPIRED));
                return allowed;
            case REVOKED:
                allowed.add(transport == Transport.HTTP ? http(401) : session(SessionErrorCode.TOKEN_REVOKED));
                return allowed;
            default:
                if (entry.withoutToken() != null) {
                    entry.withoutToken().forEach(code -> allowed.add(duetError(code)));
                } else {
                    allowed.add(duetError(ErrorCode.PERMISSION_DENIED));
                    if (credential == Credential.WRONG_USER) {
                        // The token's session is not one of that user's.
                        allowed.add(duetError(ErrorCode.UNAUTHENTICATED));
                    }
                }
                if (transport == Transport.TCP) {
                    // The session's stream to the couple's server is refused: the session closes.
                    allowed.add(session(SessionErrorCode.TOKEN_INVALID));
                }
                return allowed;
        }
    }

    @Test
    void everyMethodIsDeniedToHostileCredentialsAndTheVictimCoupleIsUntouched() throws Exception {
        Map<String, AsyncProcessFunction<?, ?, ?, ?>> methods = methods();
        assertThat(methods).as("client API methods").hasSizeGreaterThanOrEqualTo(11);
        assertThat(MATRIX.keySet()).as("every client API method has a matrix entry, and only those")
                .containsExactlyInAnyOrderElementsOf(methods.keySet());

        List<String> holes = new ArrayList<>();
        int calls = 0;
        for (Map.Entry<String, AsyncProcessFunction<?, ?, ?, ?>> method : methods.entrySet()) {
            String service = method.getKey().substring(0, method.getKey().indexOf(':'));
            Entry entry = MATRIX.get(method.getKey());
            for (Function<Victims, TBase<?, ?>> request : entry.requests()) {
                for (Credential credential : Credential.values()) {
                    for (Transport transport : Transport.values()) {
                        int server = calls++ % cluster.presentationServers().size();
                        TBase<?, ?> args = args(method.getValue(), request.apply(victims));
                        String token = tokens.get(credential);
                        ApiCall.Outcome outcome = transport == Transport.HTTP
                                ? ApiCall.overHttp(cluster.clientHttpEndpoint(server), service, method.getValue(), args,
                                        token)
                                : ApiCall.overTcp(cluster.clientTcpEndpoint(server), service, method.getValue(), args,
                                        token);
                        Set<String> allowed = expected(entry, credential, transport);
                        if (!allowed.contains(outcome.outcome())) {
                            holes.add(method.getKey() + " " + args.getClass().getSimpleName() + " with " + credential
                                    + " over " + transport + ": got " + outcome.outcome() + ", expected one of "
                                    + allowed);
                        }
                    }
                }
            }
        }
        assertThat(calls).isGreaterThanOrEqualTo(MATRIX.size() * Credential.values().length * 2);
        assertVictimsUntouched();
        assertThat(holes).as("calls not denied as they should be").isEmpty();
    }

    @Test
    void everyMethodSucceedsForItsRightfulCallerOverEveryTransportThatCarriesIt() throws Exception {
        Map<String, AsyncProcessFunction<?, ?, ?, ?>> methods = methods();
        Map<String, AllowedCalls.Entry> allowed = AllowedCalls.entries();
        assertThat(allowed.keySet()).as("every client API method has an allowed call, and only those")
                .containsExactlyInAnyOrderElementsOf(methods.keySet());

        AllowedCalls.Owners owners = new AllowedCalls.Owners(http);
        List<String> failures = new ArrayList<>();
        int calls = 0;
        for (Map.Entry<String, AsyncProcessFunction<?, ?, ?, ?>> method : methods.entrySet()) {
            String service = method.getKey().substring(0, method.getKey().indexOf(':'));
            AllowedCalls.Entry entry = allowed.get(method.getKey());
            for (Transport transport : entry.transports()) {
                int server = calls++ % cluster.presentationServers().size();
                AllowedCalls.Call call = entry.prepare().prepare(owners);
                TBase<?, ?> args = args(method.getValue(), call.request());
                ApiCall.Outcome outcome = transport == Transport.HTTP
                        ? ApiCall.overHttp(cluster.clientHttpEndpoint(server), service, method.getValue(), args, call.token())
                        : ApiCall.overTcp(cluster.clientTcpEndpoint(server), service, method.getValue(), args, call.token());
                boolean ended = transport == Transport.TCP && call.orOverTcp().contains(outcome.outcome());
                if (!ApiCall.OK.equals(outcome.outcome()) && !ended) {
                    failures.add(method.getKey() + " over " + transport + ": got " + outcome.outcome());
                    continue;
                }
                try {
                    call.check().verify(outcome.result());
                } catch (AssertionError | Exception e) {
                    failures.add(method.getKey() + " over " + transport + " did not do its job: " + e);
                }
            }
        }
        assertThat(calls).as("calls made").isGreaterThanOrEqualTo(2 * methods.size() - 4);
        assertThat(failures).as("allowed calls that failed").isEmpty();
        assertVictimsUntouched();
    }

    private static Map<String, AsyncProcessFunction<?, ?, ?, ?>> methods() {
        Map<String, AsyncProcessFunction<?, ?, ?, ?>> methods = new LinkedHashMap<>();
        for (ServiceBinding<?> binding : ApiServices.catalogue()) {
            binding.functions().forEach((name, function) ->
                    methods.put(binding.name() + ThriftMessages.SERVICE_SEPARATOR + name, function));
        }
        return methods;
    }

    @Test
    void theAttackersOwnTokenWithTheVictimsIdsReachesOnlyTheAttackersCouple() throws Exception {
        Session mallory = attacker.first();
        SendMessageResult sent = http.sendMessage(mallory.getToken(), victims.messageId(), "mallory's own message");
        assertThat(sent.isDuplicate()).as("a message id is only a duplicate within its couple").isFalse();
        HistoryPage page = http.fetchHistory(mallory.getToken(), 0, 500);
        assertThat(page.getMessages()).extracting(Message::getSenderId)
                .allMatch(id -> id == mallory.getUserId() || id == attacker.second().getUserId());
        assertThat(page.getMessages()).extracting(Message::getText).doesNotContainAnyElementsOf(victimTexts);

        AsyncProcessFunction<?, ?, ?, ?> account = function("account", "refreshSession");
        // The victim's own refresh token, presented with the attacker's access token: refused, and not used up.
        for (String refreshToken : List.of(victims.forgedRefreshToken(), victim.first().getRefreshToken())) {
            assertThat(ApiCall.overHttp(cluster.clientHttpEndpoint(0), "account", account,
                    args(account, new RefreshSessionRequest().setRefreshToken(refreshToken)), mallory.getToken())
                    .outcome()).isEqualTo(duetError(ErrorCode.PERMISSION_DENIED));
        }
        // The victims' memo and event, named by id with the attacker's own token: not found in the attacker's couple.
        for (Map.Entry<String, TBase<?, ?>> call : List.<Map.Entry<String, TBase<?, ?>>>of(
                Map.entry("memo:getMemo", new GetMemoRequest(victims.memoId())),
                Map.entry("memo:editMemo", new EditMemoRequest(victims.memoId(), victims.memoVersion()).setText("x")),
                Map.entry("memo:deleteMemo", new DeleteMemoRequest(victims.memoId(), victims.memoVersion())),
                Map.entry("calendar:deleteEvent", new DeleteEventRequest(victims.eventId())),
                Map.entry("photo:getPhoto", new GetPhotoRequest(victims.photoId())),
                Map.entry("photo:getPhotoUrl", new GetPhotoUrlRequest(victims.photoId())),
                Map.entry("photo:deletePhoto", new DeletePhotoRequest(victims.photoId())),
                Map.entry("photo:finishUpload", new FinishUploadRequest(victims.photoId())))) {
            String[] name = call.getKey().split(":");
            AsyncProcessFunction<?, ?, ?, ?> function = function(name[0], name[1]);
            assertThat(ApiCall.overHttp(cluster.clientHttpEndpoint(0), name[0], function,
                    args(function, call.getValue()), mallory.getToken()).outcome()).as(call.getKey())
                    .isEqualTo(duetError(ErrorCode.NOT_FOUND));
        }
        // In a batch, the victims' photo is a NOT_FOUND entry, without a URL.
        AsyncProcessFunction<?, ?, ?, ?> urls = function("photo", "getPhotoUrls");
        ApiCall.Outcome batch = ApiCall.overHttp(cluster.clientHttpEndpoint(0), "photo", urls, args(urls,
                new GetPhotoUrlsRequest(List.of(new GetPhotoUrlRequest(victims.photoId())))), mallory.getToken());
        assertThat(batch.outcome()).isEqualTo(ApiCall.OK);
        PhotoUrlEntry entry = ((PhotoUrls) AllowedCalls.success(batch.result())).getEntries().get(0);
        assertThat(entry.isSetUrl()).isFalse();
        assertThat(entry.getErrorCode()).isEqualTo(ErrorCode.NOT_FOUND);
        AsyncProcessFunction<?, ?, ?, ?> accept = function("pairing", "acceptInvite");
        assertThat(ApiCall.overHttp(cluster.clientHttpEndpoint(1), "pairing", accept,
                args(accept, new AcceptInviteRequest(victims.usedInviteCode())), mallory.getToken()).outcome())
                .isEqualTo(duetError(ErrorCode.INVITE_INVALID));
        assertVictimsUntouched();
    }

    /** The victims' messages are theirs alone, unchanged, and their sessions live on. */
    private static synchronized void assertVictimsUntouched() throws Exception {
        for (Session member : List.of(victim.first(), victim.second())) {
            HistoryPage page = http.fetchHistory(member.getToken(), 0, 500);
            assertThat(page.getMessages()).extracting(Message::getText).as("the victims' history")
                    .containsExactlyElementsOf(victimTexts);
            Set<Long> senders = new HashSet<>();
            page.getMessages().forEach(m -> senders.add(m.getSenderId()));
            assertThat(senders).containsOnly(victim.first().getUserId(), victim.second().getUserId());
        }
        // Their memo, photo and calendar are as they left them.
        assertThat(http.listMemos(victim.first().getToken()).getMemos()).as("the victims' memos")
                .containsExactly(victimMemo);
        assertThat(http.listPhotos(victim.first().getToken(), 10, null).getPhotos()).as("the victims' photos")
                .containsExactly(victimPhoto);
        Calendar calendar = http.getCalendar(victim.second().getToken());
        assertThat(calendar.getStartDate()).isEqualTo(VICTIM_START_DATE);
        assertThat(calendar.getEvents()).extracting(CalendarEvent::getEventId).containsExactly(victims.eventId());
        // Nobody ended the victims' sessions: their refresh tokens still renew them (kept for the next check).
        victim = new Pair(renew(victim.first()), renew(victim.second()), victim.firstEmail(), victim.secondEmail(),
                victim.code());
    }

    private static Session renew(Session session) throws Exception {
        Session renewed = http.refreshWith(session.getRefreshToken());
        assertThat(renewed.getUserId()).isEqualTo(session.getUserId());
        assertThat(renewed.getCoupleId()).isEqualTo(session.getCoupleId());
        return renewed;
    }
}
