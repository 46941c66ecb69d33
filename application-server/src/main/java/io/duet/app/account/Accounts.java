package io.duet.app.account;

import io.duet.app.limits.LogInAttempts;
import io.duet.app.pairing.Pairings;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.Caller;
import io.duet.app.storage.UserRecord;
import io.duet.app.storage.UserStore;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.UserProfile;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * Sign-up, log-in (each starts a device session), refresh and log-out. Signing up is retry-safe: the user row is written first under a fresh random id,
 * then the email is claimed for it with a conditional write; a sign-up that dies in between leaves an
 * unreachable row, and signing up again with the same email and password logs in instead of failing.
 * A new password must pass the {@link PasswordPolicy}; every password compared with an account's
 * (log-in, or sign-up with a registered email) takes an attempt from the account's {@link LogInAttempts}
 * first.
 */
public final class Accounts {
    private static final String WRONG_CREDENTIALS = "wrong email or password";
    private static final String WRONG_PASSWORD = "wrong password";

    private final UserStore users;
    private final Pairings pairings;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final LogInAttempts attempts;
    private final SessionIssuer sessions;
    private final DeviceSessions devices;
    private final Clock clock;

    public Accounts(UserStore users, Pairings pairings, PasswordHasher hasher, PasswordPolicy policy,
            LogInAttempts attempts, SessionIssuer sessions, DeviceSessions devices, Clock clock) {
        this.users = users;
        this.pairings = pairings;
        this.hasher = hasher;
        this.policy = policy;
        this.attempts = attempts;
        this.sessions = sessions;
        this.devices = devices;
        this.clock = clock;
    }

    public CompletableFuture<Session> signUp(SignUpRequest request) {
        String email;
        String displayName;
        try {
            email = Credentials.email(request.getEmail());
            Credentials.password(request.getPassword());
            displayName = Credentials.displayName(request.getDisplayName());
            Credentials.deviceId(request.getDeviceId());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument(e.getMessage()));
        }
        return users.login(email).thenCompose(existing -> {
            if (existing.isPresent()) {
                return sessionIfPasswordMatches(email, existing.get(), request.getPassword(), request.getDeviceId(),
                        ErrorCode.ALREADY_EXISTS, "that email is already registered");
            }
            long userId = pairings.newId();
            return policy.check(request.getPassword(), email, displayName)
                    .thenCompose(ignored -> hasher.hash(request.getPassword()))
                    .thenCompose(hash -> users.createUser(userId, email, displayName, clock.millis())
                            .thenCompose(ignored -> users.claimLogin(email, userId, hash)))
                    .thenCompose(taken -> taken.isPresent()
                            ? sessionIfPasswordMatches(email, taken.get(), request.getPassword(), request.getDeviceId(),
                                    ErrorCode.ALREADY_EXISTS, "that email is already registered")
                            : newSession(userId, request.getDeviceId()));
        });
    }

    public CompletableFuture<Session> logIn(LogInRequest request) {
        String email;
        try {
            email = Credentials.email(request.getEmail());
            Credentials.deviceId(request.getDeviceId());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument(e.getMessage()));
        }
        if (request.getPassword() == null || request.getPassword().length() > Credentials.MAX_PASSWORD_CHARS) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS));
        }
        // An unknown email costs the same hash and counts the same, so neither tells it is unknown.
        return users.login(email).thenCompose(login -> login.isPresent()
                ? sessionIfPasswordMatches(email, login.get(), request.getPassword(), request.getDeviceId(),
                        ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS)
                : passwordMatches(email, request.getPassword(), null).thenCompose(ignored ->
                        CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, WRONG_CREDENTIALS))));
    }

    private CompletableFuture<Session> sessionIfPasswordMatches(String email, UserStore.Login login, String password,
            String deviceId, ErrorCode otherwise, String message) {
        return passwordMatches(email, password, login.passwordHash()).thenCompose(matches -> matches
                ? newSession(login.userId(), deviceId)
                : CompletableFuture.failedFuture(ApiErrors.of(otherwise, message)));
    }

    /**
     * Whether {@code password} matches {@code hash} (null: never, at the same cost), checked only if the
     * account's cluster-wide budget of wrong passwords allows, else failing with RATE_LIMITED: the one
     * place where a password is compared (log-in, sign-up with a registered email, {@link #passwordConfirmed}).
     */
    CompletableFuture<Boolean> passwordMatches(String email, String password, String hash) {
        return attempts.take(email).thenCompose(attempt -> hasher.verify(password, hash).thenApply(matches -> {
            if (matches) {
                attempt.passwordMatched();
            }
            return matches;
        }));
    }

    /**
     * Checks {@code password} against the user's log-in again (before deleting an account or unpairing),
     * through the account's budget of wrong passwords like a log-in: a wrong password fails with
     * UNAUTHENTICATED, too many with RATE_LIMITED. Completes with true when it matches, and with false,
     * unchecked, when the user's log-in is gone (an account deletion that failed half way left the user row).
     */
    public CompletableFuture<Boolean> passwordConfirmed(long userId, String password) {
        if (password == null || password.length() > Credentials.MAX_PASSWORD_CHARS) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, WRONG_PASSWORD));
        }
        return users.user(userId).thenCompose(user -> user.isEmpty()
                ? CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, "unknown user"))
                : users.login(user.get().email()).thenCompose(login -> {
                    if (login.isEmpty() || login.get().userId() != userId) {
                        return CompletableFuture.completedFuture(false);
                    }
                    return passwordMatches(user.get().email(), password, login.get().passwordHash())
                            .thenCompose(matches -> matches ? CompletableFuture.completedFuture(true)
                                    : CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, WRONG_PASSWORD)));
                }));
    }

    /** A new device session for a log-in, with its first refresh token. */
    private CompletableFuture<Session> newSession(long userId, String deviceId) {
        return devices.start(userId, deviceId).thenCompose(this::sessionFor);
    }

    /**
     * A fresh access token: with a refresh token, for its session (using it up, see {@link
     * DeviceSessions#refresh}); without, for the caller's session if it is still live, expiring when the
     * caller's token does (only the couple it carries may change, so an access token cannot renew itself).
     * A caller whose token is from before sessions had ids gets a new device session.
     */
    public CompletableFuture<Session> refresh(Caller caller, String refreshToken) {
        if (refreshToken != null) {
            long owner = DeviceSessions.userOf(refreshToken);
            if (caller.isAuthenticated() && owner != 0 && owner != caller.userId()) {
                // Checked before the token is used up: a mix-up must not end the other user's session.
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.PERMISSION_DENIED,
                        "this refresh token is not of the caller's account"));
            }
            return devices.refresh(refreshToken).thenCompose(this::sessionFor);
        }
        if (!caller.isAuthenticated()) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED,
                    "refreshSession needs a refresh token or a valid access token"));
        }
        if (caller.sessionId() == null) {
            return vouch(caller).thenCompose(ignored -> newSession(caller.userId(), caller.deviceId()));
        }
        if (caller.tokenExpiresAtMillis() == 0) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED,
                    "refreshSession needs a refresh token here (the token's expiry is unknown)"));
        }
        return devices.live(caller.userId(), caller.sessionId())
                .thenCompose(device -> sameCouple(caller, true).thenApply(ignored -> keepingTokenExpiry(device, caller)))
                .thenCompose(this::sessionFor);
    }

    /** The caller's live device session, ending no later than the caller's token: what a token for it may last. */
    static DeviceSessions.Renewal keepingTokenExpiry(DeviceSessions.Renewal device, Caller caller) {
        return new DeviceSessions.Renewal(device.userId(), device.sessionId(), device.deviceId(),
                Math.min(device.expiresAtMillis(), caller.tokenExpiresAtMillis()), null);
    }

    /** Ends the caller's device session. */
    public CompletableFuture<Void> logOut(Caller caller) {
        if (caller.sessionId() == null) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument(
                    "this token is from before sessions had ids: use logOutEverywhere"));
        }
        return vouch(caller).thenCompose(ignored -> devices.logOut(caller.userId(), caller.sessionId()));
    }

    /** Ends every device session of the caller. */
    public CompletableFuture<Void> logOutEverywhere(Caller caller) {
        return vouch(caller).thenCompose(ignored -> devices.logOutEverywhere(caller.userId()));
    }

    /**
     * Completes if the caller's token agrees with what is stored: its device session is a live session of
     * its user, and the couple it names (if any) is the user's. A signed token that does not (one made with
     * a leaked secret, or by a bug) fails with UNAUTHENTICATED or PERMISSION_DENIED. Calls that change an
     * account or a pairing check this first; chat calls are checked by the couple's actor, which serves
     * only its two members.
     */
    public CompletableFuture<Void> vouch(Caller caller) {
        return vouch(caller, false);
    }

    private CompletableFuture<Void> vouch(Caller caller, boolean orUnpaired) {
        if (!caller.isAuthenticated()) {
            return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, "no valid session token"));
        }
        CompletableFuture<?> live = caller.sessionId() == null ? CompletableFuture.completedFuture(null)
                : devices.live(caller.userId(), caller.sessionId());
        return live.thenCompose(ignored -> sameCouple(caller, orUnpaired));
    }

    /**
     * Like {@link #vouch}, but the token may also name a couple the user is no longer bound to (it was closed
     * since): for unpairing and account deletion, whose retries must find the job done or finish it.
     */
    public CompletableFuture<Void> vouchOrUnpaired(Caller caller) {
        return vouch(caller, true);
    }

    /**
     * Completes if the caller's token names no couple, or the user's, or ({@code orUnpaired}) a couple the
     * user is no longer bound to because it was closed since; else fails with PERMISSION_DENIED.
     */
    private CompletableFuture<Void> sameCouple(Caller caller, boolean orUnpaired) {
        if (!caller.isPaired()) {
            return CompletableFuture.completedFuture(null);
        }
        return users.user(caller.userId()).thenCompose(found -> found.isPresent()
                && (found.get().coupleId() == caller.coupleId() || (orUnpaired && found.get().coupleId() == 0))
                ? CompletableFuture.<Void>completedFuture(null)
                : CompletableFuture.<Void>failedFuture(ApiErrors.of(ErrorCode.PERMISSION_DENIED,
                        "the token's couple is not the caller's")));
    }

    /**
     * An access token for a device session, reflecting the user's couple as it is now (finishing a
     * pairing a crash interrupted, if any).
     */
    private CompletableFuture<Session> sessionFor(DeviceSessions.Renewal device) {
        long userId = device.userId();
        return users.user(userId).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, "unknown user"));
            }
            UserRecord user = found.get();
            UserProfile self = new UserProfile(userId, user.displayName());
            return pairings.resolveCouple(user).thenCompose(couple -> couple.isPaired()
                    ? pairings.profile(couple.partnerId())
                            .thenApply(partner -> sessions.issue(self, couple.coupleId(), device, partner))
                    : CompletableFuture.completedFuture(sessions.issue(self, 0, device, null)));
        });
    }
}
