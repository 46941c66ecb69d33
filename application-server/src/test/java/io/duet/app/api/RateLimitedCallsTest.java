package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.limits.Limit;
import io.duet.app.limits.Rate;
import io.duet.app.limits.RateLimiter;
import io.duet.app.limits.RateLimits;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Caller;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.DeleteAccountRequest;
import io.duet.protocol.api.DeleteMessageRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.GetPhotoUrlRequest;
import io.duet.protocol.api.GetPhotoUrlsRequest;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.RegisterPushTokenRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.UnpairRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.thrift.async.AsyncMethodCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rate-limited call checks its limits: with one limit at one call an hour (the others at their
 * defaults), a first call gets past the limiter and a second one that shares only that limit's key with
 * it is refused with RATE_LIMITED and a retry-after. The services behind the limiter are absent: a call
 * that gets past it fails on them, which is not a refusal. (The per-account log-in limit is counted in
 * HBase, by {@code LogInAttempts}: see {@code LogInAttemptsTest}.)
 */
class RateLimitedCallsTest {
    private static final long COUPLE = 900;

    /** One call of an API made by {@code caller}, as the dispatcher would make it. */
    interface Call {
        void make(Caller caller, RateLimiter limiter, AsyncMethodCallback<Object> callback) throws Exception;
    }

    private static Caller user(long userId, String device, String address) {
        return Caller.of(userId, COUPLE, device, "session-" + userId, address);
    }

    private static ChatApi chat(Caller caller, RateLimiter limiter) {
        return new ChatApi(new CallContext(caller, null), null, limiter);
    }

    private static PairingApi pairing(Caller caller, RateLimiter limiter) {
        return new PairingApi(new CallContext(caller, null), null, null, limiter, null, null);
    }

    private static PhotoApi photo(Caller caller, RateLimiter limiter) {
        return new PhotoApi(new CallContext(caller, null), null, null, limiter);
    }

    /** A getPhotoUrls call naming {@code photos} photos. */
    private static Call photoUrls(int photos) {
        return (c, l, cb) -> photo(c, l).getPhotoUrls(new GetPhotoUrlsRequest(
                Collections.nCopies(photos, new GetPhotoUrlRequest("0".repeat(32)))), cast(cb));
    }

    private static AccountApi account(Caller caller, RateLimiter limiter) {
        return new AccountApi(new CallContext(caller, null), null, null, null, limiter);
    }

    private static final Call PUSH_TOKEN = (c, l, cb) -> new DeviceApi(new CallContext(c, null), null, null, l)
            .registerPushToken(new RegisterPushTokenRequest(PushPlatform.APNS, "a".repeat(64)), cast(cb));
    private static final Call SEND = (c, l, cb) -> chat(c, l).sendMessage(
            new SendMessageRequest().setClientMessageId("m-" + System.nanoTime()).setText("hi"), cast(cb));
    private static final Call EDIT = (c, l, cb) -> chat(c, l).editMessage(new EditMessageRequest(1, "edited"), cast(cb));
    private static final Call DELETE = (c, l, cb) -> chat(c, l).deleteMessage(new DeleteMessageRequest(1), cast(cb));
    private static final Call STICKER = (c, l, cb) -> chat(c, l).sendMessage(new SendMessageRequest()
            .setClientMessageId("s-" + System.nanoTime()).setSticker(new StickerRef("cats", "wave")), cast(cb));
    private static final Call TYPING = (c, l, cb) -> chat(c, l).setTyping(new SetTypingRequest(true), cast(cb));
    private static final Call HISTORY = (c, l, cb) -> chat(c, l).fetchHistory(new FetchHistoryRequest().setLimit(500),
            cast(cb));
    /** subscribe over HTTP: a long poll, which reads history. */
    private static final Call POLL = (c, l, cb) -> chat(c, l).subscribe(new SubscribeRequest(0), cast(cb));
    private static final Call CREATE_INVITE = (c, l, cb) -> pairing(c, l).createInvite(new CreateInviteRequest(), cast(cb));
    private static final Call ACCEPT_INVITE = (c, l, cb) -> pairing(c, l).acceptInvite(
            new AcceptInviteRequest("ABCD-EFGH-JKMN"), cast(cb));
    private static final Call SIGN_UP = (c, l, cb) -> account(c, l).signUp(new SignUpRequest()
            .setEmail("u" + System.nanoTime() + "@example.com").setPassword("a long password").setDisplayName("U")
            .setDeviceId("phone"), cast(cb));
    private static final Call LOG_IN = (c, l, cb) -> account(c, l).logIn(new LogInRequest()
            .setEmail("ann@example.com").setPassword("a long password").setDeviceId("phone"), cast(cb));

    private static final Call UNPAIR = (c, l, cb) -> pairing(c, l).unpair(
            new UnpairRequest().setPassword("a long password"), cast(cb));
    private static final Call PHOTO_URL = (c, l, cb) -> photo(c, l).getPhotoUrl(
            new GetPhotoUrlRequest("0".repeat(32)), cast(cb));

    private static final Call DELETE_ACCOUNT = (c, l, cb) -> account(c, l).deleteAccount(
            new DeleteAccountRequest("a long password"), cast(cb));

    @SuppressWarnings("unchecked")
    private static <T> AsyncMethodCallback<T> cast(AsyncMethodCallback<Object> callback) {
        return (AsyncMethodCallback<T>) (AsyncMethodCallback<?>) callback;
    }

    /** limit, call, first caller, second caller (sharing only the limit's key with the first). */
    static Stream<Arguments> limitedCalls() {
        return Stream.of(
                Arguments.of(Limit.SEND_PER_DEVICE, SEND, user(1, "phone", "10.0.0.1"), user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.SEND_PER_USER, SEND, user(1, "phone", "10.0.0.1"), user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.SEND_PER_COUPLE, SEND, user(1, "phone", "10.0.0.1"), user(2, "phone", "10.0.0.2")),
                // Edits, deletes and stickers share the send budget: one of each after a send is refused.
                Arguments.of(Limit.SEND_PER_DEVICE, EDIT, user(1, "phone", "10.0.0.1"), user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.SEND_PER_USER, DELETE, user(1, "phone", "10.0.0.1"), user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.SEND_PER_COUPLE, STICKER, user(1, "phone", "10.0.0.1"),
                        user(2, "phone", "10.0.0.2")),
                Arguments.of(Limit.TYPING_PER_DEVICE, TYPING, user(1, "phone", "10.0.0.1"), user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.HISTORY_PER_DEVICE, HISTORY, user(1, "phone", "10.0.0.1"),
                        user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.HISTORY_PER_DEVICE, POLL, user(1, "phone", "10.0.0.1"),
                        user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.CREATE_INVITE_PER_USER, CREATE_INVITE, user(1, "phone", "10.0.0.1"),
                        user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.ACCEPT_INVITE_PER_USER, ACCEPT_INVITE, user(1, "phone", "10.0.0.1"),
                        user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.ACCEPT_INVITE_PER_ADDRESS, ACCEPT_INVITE, user(1, "phone", "10.0.0.1"),
                        user(2, "phone", "10.0.0.1")),
                Arguments.of(Limit.DELETE_ACCOUNT_PER_USER, DELETE_ACCOUNT, user(1, "phone", "10.0.0.1"),
                        user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.UNPAIR_PER_USER, UNPAIR, user(1, "phone", "10.0.0.1"),
                        user(1, "tablet", "10.0.0.2")),
                Arguments.of(Limit.PHOTO_PER_DEVICE, PHOTO_URL, user(1, "phone", "10.0.0.1"),
                        user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.PHOTO_PER_DEVICE, photoUrls(100), user(1, "phone", "10.0.0.1"),
                        user(1, "phone", "10.0.0.2")),
                Arguments.of(Limit.SIGN_UP_PER_ADDRESS, SIGN_UP, Caller.of(0, 0, "", null, "10.0.0.1"),
                        Caller.of(0, 0, "", null, "10.0.0.1")),
                Arguments.of(Limit.LOG_IN_PER_ADDRESS, LOG_IN, Caller.of(0, 0, "", null, "10.0.0.1"),
                        Caller.of(0, 0, "", null, "10.0.0.1")),
                Arguments.of(Limit.PUSH_TOKEN_PER_DEVICE, PUSH_TOKEN, user(1, "phone", "10.0.0.1"),
                        user(1, "phone", "10.0.0.2")));
    }

    /** The error the call ends with, or null if it succeeded; a call the absent services break counts as failed. */
    private static Throwable outcome(Call call, Caller caller, RateLimiter limiter) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        try {
            call.make(caller, limiter, new AsyncMethodCallback<>() {
                @Override
                public void onComplete(Object response) {
                    done.set(true);
                }

                @Override
                public void onError(Exception e) {
                    failure.set(e);
                    done.set(true);
                }
            });
        } catch (Exception | Error e) {
            return e;
        }
        assertThat(done.get()).as("answered at once").isTrue();
        return failure.get();
    }

    private static boolean rateLimited(Throwable outcome) {
        return outcome instanceof DuetError && ((DuetError) outcome).getCode() == ErrorCode.RATE_LIMITED;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("limitedCalls")
    void theSecondCallOverALimitIsRefused(Limit limit, Call call, Caller first, Caller second) {
        RateLimiter limiter = new RateLimiter(RateLimits.builder().rate(limit, Rate.of(1, Duration.ofHours(1))).build());

        assertThat(rateLimited(outcome(call, first, limiter))).as("the first call").isFalse();
        Throwable refused = outcome(call, second, limiter);

        assertThat(rateLimited(refused)).as("the second call: %s", refused).isTrue();
        assertThat(((DuetError) refused).getRetryAfterMillis()).isPositive();
        assertThat(limiter.refusals(limit)).isEqualTo(1);
    }

    /** A batch of photo URLs counts as one photo call per started 25 photos. */
    @Test
    void aBatchOfPhotoUrlsCountsOneCallPerStarted25Photos() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder()
                .rate(Limit.PHOTO_PER_DEVICE, Rate.of(5, Duration.ofHours(1))).build());
        Caller phone = user(1, "phone", "10.0.0.1");

        assertThat(rateLimited(outcome(photoUrls(76), phone, limiter))).as("76 photos: 4 of 5 calls").isFalse();
        assertThat(rateLimited(outcome(photoUrls(1), phone, limiter))).as("1 photo: the 5th call").isFalse();
        assertThat(rateLimited(outcome(photoUrls(1), phone, limiter))).as("the 6th call").isTrue();
    }

    @Test
    void unpairingWithoutAPasswordIsRefusedBeforeAnythingElse() {
        RateLimiter limiter = new RateLimiter(RateLimits.builder().build());
        Throwable refused = outcome((c, l, cb) -> pairing(c, l).unpair(new UnpairRequest(), cast(cb)),
                user(1, "phone", "10.0.0.1"), limiter);

        assertThat(refused).isInstanceOf(DuetError.class);
        assertThat(((DuetError) refused).getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(((DuetError) refused).getMessage()).contains("password");
    }
}
