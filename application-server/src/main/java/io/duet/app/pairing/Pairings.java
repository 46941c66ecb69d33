package io.duet.app.pairing;

import io.duet.app.internal.SeededRandom;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.InviteRecord;
import io.duet.app.storage.InviteStore;
import io.duet.app.storage.UserRecord;
import io.duet.app.storage.UserStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Invite;
import io.duet.protocol.api.PartnerJoinedEvent;
import io.duet.protocol.api.UserProfile;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairing, across three tables that no single HBase write spans: the invite row, both users' rows and
 * the new couple's row. The steps, for inviter A, acceptor B and the couple id C reserved in the invite:
 *
 * <ol>
 *   <li>the invite records B as its acceptor (conditional: one acceptor per invite);</li>
 *   <li>B's row is bound to C, then A's row (conditional: a user is bound to at most one couple);</li>
 *   <li>the invite moves OPEN to COMPLETED (or, if a binding failed, OPEN to ABORTED). This conditional
 *       transition is the commit point: it happens once, and whoever comes later follows it;</li>
 *   <li>after COMPLETED, the couple row is created (if absent); after ABORTED, the bindings to C are
 *       removed (only where they still point at C).</li>
 * </ol>
 *
 * <p><b>Why a crash cannot leave a half-made couple.</b> Every step is idempotent and every intermediate
 * state is recognisable: a user bound to a couple whose row does not exist is mid-pairing. Every path
 * that reads a user's couple (log-in, session refresh, invite creation and acceptance) calls {@link
 * #resolveCouple}, which finishes the pairing from the invite the binding names: it rolls forward if
 * the invite says COMPLETED (or is still OPEN and both bindings succeed) and back if it says ABORTED.
 * The couple row is created only after COMPLETED, and COMPLETED is set only after both bindings, which
 * are never removed after COMPLETED; so a couple row always has both members bound to it. Retrying
 * {@code acceptInvite} after any failure runs the same steps and returns the same couple.
 */
public final class Pairings {
    private static final Logger LOG = LoggerFactory.getLogger(Pairings.class);
    private static final int CODE_ATTEMPTS = 5;

    private final UserStore users;
    private final InviteStore invites;
    private final CoupleStore couples;
    private final UserPush push;
    private final Clock clock;
    private final Duration inviteLifetime;
    /** Null: a user bound to a closed couple is only unbound (its data is left to whoever closed it). */
    private final CoupleClosing closing;
    private final SecureRandom random = SeededRandom.create();

    public Pairings(UserStore users, InviteStore invites, CoupleStore couples, UserPush push, Clock clock,
            Duration inviteLifetime) {
        this(users, invites, couples, push, clock, inviteLifetime, null);
    }

    /** @param closing finishes the closing of a couple found closed with a member still bound to it */
    public Pairings(UserStore users, InviteStore invites, CoupleStore couples, UserPush push, Clock clock,
            Duration inviteLifetime, CoupleClosing closing) {
        this.closing = closing;
        this.users = users;
        this.invites = invites;
        this.couples = couples;
        this.push = push;
        this.clock = clock;
        this.inviteLifetime = inviteLifetime;
    }

    /** A random id for a new user or couple: positive and never 0, which means "none". */
    public long newId() {
        long id;
        do {
            id = random.nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    /** A new invite from {@code userId}, who must not be paired. */
    public CompletableFuture<Invite> createInvite(long userId) {
        return user(userId).thenCompose(this::resolveCouple).thenCompose(couple -> {
            if (couple.isPaired()) {
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.ALREADY_PAIRED, "you are already paired"));
            }
            return storeInvite(userId, CODE_ATTEMPTS);
        });
    }

    private CompletableFuture<Invite> storeInvite(long userId, int attemptsLeft) {
        String code = InviteCodes.generate(random);
        long now = clock.millis();
        long expires = now + inviteLifetime.toMillis();
        return invites.create(code, userId, newId(), now, expires).thenCompose(created -> {
            if (created) {
                return CompletableFuture.completedFuture(new Invite(InviteCodes.display(code), expires));
            }
            if (attemptsLeft <= 1) {
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.INTERNAL, "cannot find a free invite code"));
            }
            return storeInvite(userId, attemptsLeft - 1);
        });
    }

    /** Pairs {@code acceptorId} with the invite's author. Retrying after any failure is safe. */
    public CompletableFuture<CoupleOf> accept(long acceptorId, String typedCode) {
        String code = InviteCodes.normalize(typedCode);
        if (code == null) {
            return invalid("that is not an invite code");
        }
        return invites.get(code).thenCompose(found -> {
            if (found.isEmpty()) {
                return invalid("unknown invite code");
            }
            InviteRecord invite = found.get();
            if (invite.inviterId() == acceptorId) {
                return CompletableFuture.failedFuture(ApiErrors.invalidArgument("this is your own invite"));
            }
            boolean mine = invite.acceptorId() == acceptorId;
            if (invite.state() == InviteRecord.State.ABORTED || (invite.acceptorId() != 0 && !mine)) {
                return invalid("this invite was already used");
            }
            if (invite.state() == InviteRecord.State.COMPLETED) {
                return commit(invite, invite.acceptorId()).thenApply(coupleId -> new CoupleOf(coupleId, invite.inviterId()));
            }
            if (!mine && invite.expiresAtMillis() <= clock.millis()) {
                return invalid("this invite has expired");
            }
            return user(acceptorId).thenCompose(this::resolveCouple).thenCombine(users.user(invite.inviterId()),
                    (current, inviter) -> inviter.isPresent() ? current : null).thenCompose(current -> {
                if (current == null) {
                    return invalid("the inviter's account was deleted");
                }
                if (current.isPaired() && current.coupleId() != invite.coupleId()) {
                    return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.ALREADY_PAIRED, "you are already paired"));
                }
                return invites.claimAcceptor(code, acceptorId).thenCompose(acceptor -> acceptor != acceptorId
                        ? invalid("this invite was already used")
                        : complete(invite, acceptorId).thenApply(coupleId -> new CoupleOf(coupleId, invite.inviterId())));
            });
        });
    }

    /**
     * The couple {@code user} belongs to. A binding left by an unfinished pairing is finished here,
     * forward or back, and one to a couple that was closed is removed (finishing the closing), so callers
     * only ever see whole, open couples.
     */
    public CompletableFuture<CoupleOf> resolveCouple(UserRecord user) {
        long coupleId = user.coupleId();
        if (coupleId == 0) {
            return CompletableFuture.completedFuture(CoupleOf.NONE);
        }
        return couples.closures().membership(coupleId).thenCompose(found -> {
            if (found.isPresent() && found.get().closed()) {
                LOG.info("User {} is bound to couple {}, which was closed; finishing the closing", user.userId(), coupleId);
                CompletableFuture<Void> finished = closing != null ? closing.finish(coupleId)
                        : users.unbindCouple(user.userId(), coupleId);
                return finished.thenApply(ignored -> CoupleOf.NONE);
            }
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(new CoupleOf(coupleId, found.get().partnerOf(user.userId())));
            }
            LOG.info("User {} is bound to couple {} whose pairing did not finish; finishing it", user.userId(), coupleId);
            return recover(user).handle((recovered, failure) -> {
                if (failure != null && !(ApiErrors.unwrap(failure) instanceof DuetError)) {
                    throw new CompletionException(ApiErrors.unwrap(failure));
                }
                return failure == null && recovered == coupleId;
            }).thenCompose(paired -> paired ? membersOf(user.userId(), coupleId)
                    : CompletableFuture.completedFuture(CoupleOf.NONE));
        });
    }

    private CompletableFuture<CoupleOf> membersOf(long userId, long coupleId) {
        return couples.members(coupleId).thenApply(members -> members
                .map(m -> new CoupleOf(coupleId, m[0] == userId ? m[1] : m[0]))
                .orElse(CoupleOf.NONE));
    }

    /** Finishes the pairing that bound {@code user}; returns its couple id, or 0 if it was rolled back. */
    private CompletableFuture<Long> recover(UserRecord user) {
        long coupleId = user.coupleId();
        if (user.pairingInvite() == null) {
            return users.unbindCouple(user.userId(), coupleId).thenApply(ignored -> 0L);
        }
        return invites.get(user.pairingInvite()).thenCompose(found -> {
            if (found.isEmpty() || found.get().coupleId() != coupleId) {
                return users.unbindCouple(user.userId(), coupleId).thenApply(ignored -> 0L);
            }
            InviteRecord invite = found.get();
            switch (invite.state()) {
                case COMPLETED:
                    return commit(invite, invite.acceptorId());
                case ABORTED:
                    return undo(invite, invite.acceptorId()).thenApply(ignored -> 0L);
                default:
                    if (invite.acceptorId() == 0) {
                        return users.unbindCouple(user.userId(), coupleId).thenApply(ignored -> 0L);
                    }
                    return complete(invite, invite.acceptorId());
            }
        });
    }

    /** Steps 2 to 4 for an invite whose acceptor is recorded. */
    private CompletableFuture<Long> complete(InviteRecord invite, long acceptorId) {
        long coupleId = invite.coupleId();
        return users.bindCouple(acceptorId, coupleId, invite.code()).thenCompose(acceptorBound -> {
            if (acceptorBound != coupleId) {
                return abort(invite, acceptorId, ApiErrors.of(ErrorCode.ALREADY_PAIRED, "you are already paired"));
            }
            return users.bindCouple(invite.inviterId(), coupleId, invite.code()).thenCompose(inviterBound -> {
                if (inviterBound != coupleId) {
                    return abort(invite, acceptorId,
                            ApiErrors.of(ErrorCode.INVITE_INVALID, "the inviter has paired with someone else"));
                }
                return invites.transition(invite.code(), InviteRecord.State.OPEN, InviteRecord.State.COMPLETED)
                        .thenCompose(state -> state == InviteRecord.State.COMPLETED
                                ? commit(invite, acceptorId)
                                : undo(invite, acceptorId).thenCompose(ignored -> invalid("this invite was cancelled")));
            });
        });
    }

    private CompletableFuture<Long> abort(InviteRecord invite, long acceptorId, Exception reason) {
        return invites.transition(invite.code(), InviteRecord.State.OPEN, InviteRecord.State.ABORTED)
                .thenCompose(state -> state == InviteRecord.State.COMPLETED
                        ? commit(invite, acceptorId)
                        : undo(invite, acceptorId).thenCompose(ignored -> CompletableFuture.<Long>failedFuture(reason)));
    }

    /** Removes both bindings to the invite's couple, where they still point at it. */
    private CompletableFuture<Void> undo(InviteRecord invite, long acceptorId) {
        CompletableFuture<Void> inviter = users.unbindCouple(invite.inviterId(), invite.coupleId());
        CompletableFuture<Void> acceptor = acceptorId == 0 ? CompletableFuture.completedFuture(null)
                : users.unbindCouple(acceptorId, invite.coupleId());
        return CompletableFuture.allOf(inviter, acceptor);
    }

    /** Step 4 after COMPLETED: the couple row (idempotent), then the news for both partners. */
    private CompletableFuture<Long> commit(InviteRecord invite, long acceptorId) {
        long coupleId = invite.coupleId();
        return couples.create(coupleId, invite.inviterId(), acceptorId, clock.millis()).thenCompose(created -> {
            if (!created) {
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.INTERNAL,
                        "couple " + coupleId + " exists with other members"));
            }
            announce(coupleId, invite.inviterId(), acceptorId);
            return CompletableFuture.completedFuture(coupleId);
        });
    }

    private void announce(long coupleId, long inviterId, long acceptorId) {
        profile(acceptorId).thenCombine(profile(inviterId), (acceptor, inviter) -> {
            push.push(List.of(inviterId), Event.partnerJoined(new PartnerJoinedEvent(coupleId, acceptor)));
            push.push(List.of(acceptorId), Event.partnerJoined(new PartnerJoinedEvent(coupleId, inviter)));
            return null;
        }).exceptionally(failure -> {
            LOG.warn("Cannot announce couple {}: {}", coupleId, failure.toString());
            return null;
        });
    }

    /** A user's public profile; a missing user has an empty name. */
    public CompletableFuture<UserProfile> profile(long userId) {
        return users.user(userId).thenApply(user -> new UserProfile(userId, user.map(UserRecord::displayName).orElse("")));
    }

    private CompletableFuture<UserRecord> user(long userId) {
        return users.user(userId).thenCompose(user -> user.isPresent()
                ? CompletableFuture.completedFuture(user.get())
                : CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, "unknown user")));
    }

    private static <T> CompletableFuture<T> invalid(String message) {
        return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.INVITE_INVALID, message));
    }
}
