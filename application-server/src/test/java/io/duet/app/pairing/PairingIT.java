package io.duet.app.pairing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.app.storage.InviteRecord;
import io.duet.app.storage.InviteStore;
import io.duet.app.storage.UserRecord;
import io.duet.app.storage.UserStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pairing against real HBase, including every state a crash can leave between two of its writes: for
 * each, the next reader (the acceptor retrying, or either user logging in) finishes the pairing, and a
 * couple row never exists without both members bound to it.
 */
class PairingIT {
    private static UserStore users;
    private static InviteStore invites;
    private static CoupleStore couples;
    private static final List<Long> pushedTo = new CopyOnWriteArrayList<>();
    private static Pairings pairings;

    @BeforeAll
    static void startHBase() throws Exception {
        HBaseSchema schema = StorageCluster.freshSchema(4);
        users = new UserStore(StorageCluster.connection(), schema, StorageCluster.callbacks());
        invites = new InviteStore(StorageCluster.connection(), schema, StorageCluster.callbacks());
        couples = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.defaults());
        UserPush push = (Collection<Long> userIds, Event event) -> pushedTo.addAll(userIds);
        pairings = new Pairings(users, invites, couples, push, Clock.systemUTC(), Duration.ofHours(1));
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static long newUser(String name) throws Exception {
        long id = pairings.newId();
        await(users.createUser(id, name + id + "@example.com", name, 0));
        return id;
    }

    private static UserRecord user(long id) throws Exception {
        return await(users.user(id)).orElseThrow();
    }

    private static InviteRecord invite(String displayCode) throws Exception {
        return await(invites.get(InviteCodes.normalize(displayCode))).orElseThrow();
    }

    private static ErrorCode errorOf(CompletableFuture<?> future) {
        try {
            future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(DuetError.class);
            return ((DuetError) e.getCause()).getCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("expected a DuetError");
    }

    /** The invariant: a couple row exists exactly when both members are bound to it. */
    private static void assertWholeCouple(long coupleId, long a, long b) throws Exception {
        assertThat(await(couples.members(coupleId))).isPresent();
        assertThat(user(a).coupleId()).isEqualTo(coupleId);
        assertThat(user(b).coupleId()).isEqualTo(coupleId);
        assertThat(await(pairings.resolveCouple(user(a))).partnerId()).isEqualTo(b);
        assertThat(await(pairings.resolveCouple(user(b))).partnerId()).isEqualTo(a);
    }

    @Test
    void acceptingAnInvitePairsBothUsersAndTellsBoth() throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        String code = await(pairings.createInvite(inviter)).getCode();
        assertThat(code).matches("[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}");

        CoupleOf couple = await(pairings.accept(acceptor, code.toLowerCase().replace("-", " ")));

        assertThat(couple.partnerId()).isEqualTo(inviter);
        assertWholeCouple(couple.coupleId(), inviter, acceptor);
        assertThat(invite(code).state()).isEqualTo(InviteRecord.State.COMPLETED);
        Thread.sleep(200);
        assertThat(pushedTo).contains(inviter, acceptor);
    }

    @Test
    void anEightCharacterInviteMadeBeforeCodesGrewIsStillAccepted() throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        String code = InviteCodes.generate(new SecureRandom()).substring(0, InviteCodes.OLD_LENGTH);
        long now = System.currentTimeMillis();
        assertThat(await(invites.create(code, inviter, pairings.newId(), now, now + 3_600_000))).isTrue();

        CoupleOf couple = await(pairings.accept(acceptor, InviteCodes.display(code).toLowerCase()));

        assertThat(couple.partnerId()).isEqualTo(inviter);
        assertWholeCouple(couple.coupleId(), inviter, acceptor);
        assertThat(invite(code).state()).isEqualTo(InviteRecord.State.COMPLETED);
    }

    @Test
    void retryingAnAcceptReturnsTheSameCouple() throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        String code = await(pairings.createInvite(inviter)).getCode();
        CoupleOf first = await(pairings.accept(acceptor, code));
        CoupleOf retry = await(pairings.accept(acceptor, code));
        assertThat(retry.coupleId()).isEqualTo(first.coupleId());
    }

    @Test
    void anInviteMakesOneCoupleOnly() throws Exception {
        long inviter = newUser("ann");
        String code = await(pairings.createInvite(inviter)).getCode();
        await(pairings.accept(newUser("bob"), code));
        assertThat(errorOf(pairings.accept(newUser("eve"), code))).isEqualTo(ErrorCode.INVITE_INVALID);
    }

    @Test
    void twoAcceptorsRacingForOneInviteMakeOneCouple() throws Exception {
        long inviter = newUser("ann");
        String code = await(pairings.createInvite(inviter)).getCode();
        List<Long> acceptors = List.of(newUser("bob"), newUser("bo2"), newUser("bo3"), newUser("bo4"));
        List<CompletableFuture<CoupleOf>> racing = new ArrayList<>();
        for (long acceptor : acceptors) {
            racing.add(pairings.accept(acceptor, code));
        }
        int winners = 0;
        for (CompletableFuture<CoupleOf> attempt : racing) {
            try {
                attempt.get(30, TimeUnit.SECONDS);
                winners++;
            } catch (ExecutionException e) {
                assertThat(((DuetError) e.getCause()).getCode()).isEqualTo(ErrorCode.INVITE_INVALID);
            }
        }
        assertThat(winners).isEqualTo(1);
        long paired = acceptors.stream().filter(id -> {
            try {
                return user(id).coupleId() != 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).count();
        assertThat(paired).isEqualTo(1);
    }

    @Test
    void rejectsOwnExpiredAndMalformedInvites() throws Exception {
        long inviter = newUser("ann");
        String code = await(pairings.createInvite(inviter)).getCode();
        assertThat(errorOf(pairings.accept(inviter, code))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(errorOf(pairings.accept(newUser("bob"), "not a code!"))).isEqualTo(ErrorCode.INVITE_INVALID);
        assertThat(errorOf(pairings.accept(newUser("bob"), "2222-2222-2222"))).isEqualTo(ErrorCode.INVITE_INVALID);
        assertThat(errorOf(pairings.accept(newUser("bob"), "2222-2222"))).isEqualTo(ErrorCode.INVITE_INVALID);

        Pairings expiring = new Pairings(users, invites, couples, (ids, event) -> { }, Clock.systemUTC(), Duration.ZERO);
        String expired = await(expiring.createInvite(newUser("cat"))).getCode();
        assertThat(errorOf(pairings.accept(newUser("dan"), expired))).isEqualTo(ErrorCode.INVITE_INVALID);
    }

    @Test
    void aPairedUserCannotCreateOrAcceptInvites() throws Exception {
        long ann = newUser("ann");
        long bob = newUser("bob");
        await(pairings.accept(bob, await(pairings.createInvite(ann)).getCode()));
        assertThat(errorOf(pairings.createInvite(ann))).isEqualTo(ErrorCode.ALREADY_PAIRED);
        String other = await(pairings.createInvite(newUser("cat"))).getCode();
        assertThat(errorOf(pairings.accept(bob, other))).isEqualTo(ErrorCode.ALREADY_PAIRED);
    }

    @Test
    void inviterWhoPairedElsewhereMeanwhileLeavesNoHalfCouple() throws Exception {
        long ann = newUser("ann");
        long bob = newUser("bob");
        long dan = newUser("dan");
        String annsInvite = await(pairings.createInvite(ann)).getCode();
        await(pairings.accept(ann, await(pairings.createInvite(dan)).getCode()));

        assertThat(errorOf(pairings.accept(bob, annsInvite))).isEqualTo(ErrorCode.INVITE_INVALID);

        InviteRecord dead = invite(annsInvite);
        assertThat(dead.state()).isEqualTo(InviteRecord.State.ABORTED);
        assertThat(await(couples.members(dead.coupleId()))).isEmpty();
        assertThat(user(bob).coupleId()).as("the acceptor's binding was rolled back").isZero();
        assertThat(await(pairings.resolveCouple(user(ann))).partnerId()).isEqualTo(dan);
    }

    /** The points at which a process running the pairing steps can die. */
    enum CrashPoint { AFTER_ACCEPTOR_RECORDED, AFTER_ACCEPTOR_BOUND, AFTER_BOTH_BOUND, AFTER_COMPLETED_MARK }

    @ParameterizedTest
    @EnumSource(CrashPoint.class)
    void retryingAcceptFinishesAPairingInterruptedBy(CrashPoint crash) throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        InviteRecord invite = leaveHalfDone(crash, inviter, acceptor);

        CoupleOf couple = await(pairings.accept(acceptor, invite.code()));

        assertThat(couple.coupleId()).isEqualTo(invite.coupleId());
        assertWholeCouple(invite.coupleId(), inviter, acceptor);
    }

    @ParameterizedTest
    @EnumSource(value = CrashPoint.class, names = {"AFTER_ACCEPTOR_BOUND", "AFTER_BOTH_BOUND", "AFTER_COMPLETED_MARK"})
    void loggingInFinishesAPairingInterruptedBy(CrashPoint crash) throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        InviteRecord invite = leaveHalfDone(crash, inviter, acceptor);

        CoupleOf seenByAcceptor = await(pairings.resolveCouple(user(acceptor)));

        assertThat(seenByAcceptor.coupleId()).isEqualTo(invite.coupleId());
        assertWholeCouple(invite.coupleId(), inviter, acceptor);
    }

    /** Runs the pairing's writes up to {@code crash}, as a process that died there would have. */
    private static InviteRecord leaveHalfDone(CrashPoint crash, long inviter, long acceptor) throws Exception {
        InviteRecord invite = invite(await(pairings.createInvite(inviter)).getCode());
        await(invites.claimAcceptor(invite.code(), acceptor));
        if (crash.compareTo(CrashPoint.AFTER_ACCEPTOR_BOUND) >= 0) {
            await(users.bindCouple(acceptor, invite.coupleId(), invite.code()));
        }
        if (crash.compareTo(CrashPoint.AFTER_BOTH_BOUND) >= 0) {
            await(users.bindCouple(inviter, invite.coupleId(), invite.code()));
        }
        if (crash.compareTo(CrashPoint.AFTER_COMPLETED_MARK) >= 0) {
            await(invites.transition(invite.code(), InviteRecord.State.OPEN, InviteRecord.State.COMPLETED));
        }
        assertThat(await(couples.members(invite.coupleId()))).as("no couple row yet").isEmpty();
        return invite(invite.code());
    }

    @Test
    void anAbortedPairingIsRolledBackWhenTheAcceptorLogsIn() throws Exception {
        long inviter = newUser("ann");
        long acceptor = newUser("bob");
        InviteRecord invite = leaveHalfDone(CrashPoint.AFTER_ACCEPTOR_BOUND, inviter, acceptor);
        await(invites.transition(invite.code(), InviteRecord.State.OPEN, InviteRecord.State.ABORTED));

        assertThat(await(pairings.resolveCouple(user(acceptor))).isPaired()).isFalse();
        assertThat(user(acceptor).coupleId()).isZero();
        assertThat(await(couples.members(invite.coupleId()))).isEmpty();
    }

    @Test
    void unknownInviteCodeIsRefusedWithATypedError() {
        assertThatThrownBy(() -> await(pairings.accept(1, "ZZZZ-ZZZZ-ZZZZ")))
                .hasCauseInstanceOf(DuetError.class);
    }
}
