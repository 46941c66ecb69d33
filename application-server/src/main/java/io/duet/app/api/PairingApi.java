package io.duet.app.api;

import io.duet.app.account.Accounts;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.SpaceCall;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.pairing.CoupleClosing;
import io.duet.app.pairing.Pairings;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.app.rpc.Caller;
import io.duet.protocol.api.AcceptInviteRequest;
import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.GetCoupleProfileRequest;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SetNicknameRequest;
import io.duet.protocol.api.UnpairRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code PairingService} for one call. Invites created are limited per user; codes tried, per user and
 * per source address, which is what makes guessing a live code impractical (see the README). The
 * caller's token must agree with the stored account ({@link Accounts#vouch}) before anything is paired or
 * unpaired, and unpairing checks the caller's password again ({@link Accounts#passwordConfirmed}), its tries
 * limited per user. The couple's profile (nicknames) is read and written on the couple's actor, which serves only its
 * two members, under its fence; unpairing is {@link CoupleClosing}.
 */
final class PairingApi implements PairingService.AsyncIface {
    private final CallContext context;
    private final Pairings pairings;
    private final Accounts accounts;
    private final RateLimiter limiter;
    private final CoupleRegistry couples;
    private final CoupleClosing closing;

    PairingApi(CallContext context, Pairings pairings, Accounts accounts, RateLimiter limiter, CoupleRegistry couples,
            CoupleClosing closing) {
        this.context = context;
        this.pairings = pairings;
        this.accounts = accounts;
        this.limiter = limiter;
        this.couples = couples;
        this.closing = closing;
    }

    @Override
    public void createInvite(CreateInviteRequest request, AsyncMethodCallback<Invite> callback) {
        DuetError refused = limiter.refusal(Limit.CREATE_INVITE_PER_USER, context.caller().userId());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.vouch(context.caller())
                .thenCompose(ignored -> pairings.createInvite(context.caller().userId())), callback);
    }

    @Override
    public void acceptInvite(AcceptInviteRequest request, AsyncMethodCallback<Session> callback) {
        long userId = context.caller().userId();
        DuetError refused = limiter.refusal(Limit.ACCEPT_INVITE_PER_ADDRESS, context.caller().sourceAddress(),
                Limit.ACCEPT_INVITE_PER_USER, userId);
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.vouch(context.caller())
                .thenCompose(ignored -> pairings.accept(userId, request.getCode()))
                .thenCompose(couple -> accounts.refresh(context.caller(), null)), callback);
    }

    @Override
    public void getCoupleProfile(GetCoupleProfileRequest request, AsyncMethodCallback<CoupleProfile> callback) {
        long userId = context.caller().userId();
        Callbacks.complete(withNames(onCouple(space -> space.nicknames().get(userId, space.partnerOf(userId),
                space.calendar().startDate()))), callback);
    }

    @Override
    public void setNickname(SetNicknameRequest request, AsyncMethodCallback<CoupleProfile> callback) {
        long userId = context.caller().userId();
        String nickname = request.isSetNickname() ? request.getNickname() : null;
        Callbacks.complete(withNames(onCouple(space -> space.nicknames().set(userId, space.partnerOf(userId), nickname,
                space.calendar().startDate(), space.fence()))), callback);
    }

    @Override
    public void unpair(UnpairRequest request, AsyncMethodCallback<Session> callback) {
        Caller caller = context.caller();
        if (!caller.isPaired()) {
            callback.onError(notPaired());
            return;
        }
        if (!request.isSetPassword()) {
            callback.onError(ApiErrors.invalidArgument("unpairing deletes both partners' data: it needs your password"));
            return;
        }
        DuetError refused = limiter.refusal(Limit.UNPAIR_PER_USER, caller.userId());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Callbacks.complete(accounts.vouchOrUnpaired(caller)
                .thenCompose(ignored -> accounts.passwordConfirmed(caller.userId(), request.getPassword()))
                .thenCompose(checked -> checked ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED,
                                "this account is being deleted")))
                .thenCompose(ignored -> closing.close(caller.userId(), caller.coupleId(), CoupleClosedReason.UNPAIRED))
                .thenCompose(ignored -> accounts.refresh(caller, null)), callback,
                session -> closing.endSessions(caller.coupleId()));
    }

    /** Runs a space call of the caller's on its couple's actor. */
    private <T> CompletableFuture<T> onCouple(SpaceCall<T> call) {
        Caller caller = context.caller();
        if (!caller.isPaired()) {
            return CompletableFuture.failedFuture(notPaired());
        }
        try {
            return couples.actorFor(caller.coupleId()).space(caller.userId(), call);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The profile with the couple's id and both partners' display names. */
    private CompletableFuture<CoupleProfile> withNames(CompletableFuture<CoupleProfile> profile) {
        return profile.thenCompose(found -> pairings.profile(found.getMe().getUserId())
                .thenCombine(pairings.profile(found.getPartner().getUserId()), (me, partner) ->
                        found.setCoupleId(context.caller().coupleId()).setMe(me).setPartner(partner)));
    }

    private static DuetError notPaired() {
        return ApiErrors.of(ErrorCode.NOT_PAIRED, "the session has no couple");
    }
}
