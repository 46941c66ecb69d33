package io.duet.app.account;

import io.duet.app.pairing.CoupleClosing;
import io.duet.app.pairing.Pairings;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.Caller;
import io.duet.app.storage.UserRecord;
import io.duet.app.storage.UserStore;
import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.ErrorCode;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting an account (docs/COUPLE-LIFECYCLE.md). The steps, each idempotent, in an order that lets a retry
 * with the same session finish a deletion that failed half way:
 *
 * <ol>
 *   <li>the token is vouched for ({@link Accounts#vouchOrUnpaired}) and the password checked against the
 *       login ({@link Accounts#passwordConfirmed});</li>
 *   <li>the user's couple, if any, is closed and its data deleted, S3 objects included ({@link
 *       CoupleClosing}): the partner is told and unpaired;</li>
 *   <li>the email's login is deleted (the email may sign up again), then the user row (email, display name);</li>
 *   <li>last, every device session ends (refresh tokens deleted, access tokens revoked on every presentation
 *       server), so the session that asked stays usable for a retry until the very end.</li>
 * </ol>
 *
 * <p>A retry that finds the login gone (deleted by the attempt that failed) cannot check the password
 * again: the live session alone then finishes the deletion it had proven the password for.
 */
public final class AccountDeletion {
    private static final Logger LOG = LoggerFactory.getLogger(AccountDeletion.class);

    private final Accounts accounts;
    private final UserStore users;
    private final Pairings pairings;
    private final CoupleClosing closing;
    private final DeviceSessions devices;

    public AccountDeletion(Accounts accounts, UserStore users, Pairings pairings, CoupleClosing closing,
            DeviceSessions devices) {
        this.accounts = accounts;
        this.users = users;
        this.pairings = pairings;
        this.closing = closing;
        this.devices = devices;
    }

    /**
     * Deletes the caller's account, if {@code password} is its password; completes with the id of the couple
     * it closed (0: none), whose sessions {@link CoupleClosing#endSessions} ends once the reply is sent.
     */
    public CompletableFuture<Long> delete(Caller caller, String password) {
        long userId = caller.userId();
        return accounts.vouchOrUnpaired(caller)
                .thenCompose(ignored -> accounts.passwordConfirmed(userId, password))
                .thenCompose(checked -> {
                    if (!checked) {
                        LOG.info("User {} has no login any more: finishing the deletion of their account", userId);
                    }
                    return users.user(userId);
                })
                .thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found.get())
                        : CompletableFuture.<UserRecord>failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, "unknown user")))
                .thenCompose(user -> pairings.resolveCouple(user).thenCompose(couple -> (couple.isPaired()
                        ? closing.close(userId, couple.coupleId(), CoupleClosedReason.ACCOUNT_DELETED)
                        : CompletableFuture.<Void>completedFuture(null))
                        .thenCompose(ignored -> users.deleteLogin(user.email(), userId))
                        .thenCompose(ignored -> users.deleteUser(userId))
                        .thenCompose(ignored -> devices.logOutEverywhere(userId))
                        .thenApply(ignored -> {
                            LOG.info("User {} deleted their account", userId);
                            return couple.coupleId();
                        })));
    }

    /** Ends the TCP sessions of the couple a deletion closed (0: none); see {@link CoupleClosing#endSessions}. */
    public void endSessions(long coupleId) {
        closing.endSessions(coupleId);
    }
}
