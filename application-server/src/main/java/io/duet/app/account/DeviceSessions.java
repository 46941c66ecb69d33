package io.duet.app.account;

import io.duet.app.internal.SeededRandom;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.SessionRecord;
import io.duet.app.storage.SessionStore;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.relay.Revocation;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device sessions and their refresh tokens: started at log-in, renewed by a single-use refresh token
 * (each refresh stores the next one's hash with a conditional write), ended by a log-out, by running out,
 * or by the reuse of a refresh token, which means a copy exists: then the session ends for every holder.
 * Ending a session also revokes its access tokens on every presentation server ({@link SessionRevoker}).
 */
public final class DeviceSessions {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSessions.class);
    /**
     * How long tokens lived before access tokens became short: a log-out everywhere is remembered this
     * long, so that it also refuses tokens issued before the change.
     */
    static final Duration LEGACY_TOKEN_LIFETIME = Duration.ofDays(30);
    private static final String ENDED = "the session has ended: log in again";

    private final SessionStore store;
    private final SessionRevoker revoker;
    private final Duration accessLifetime;
    private final Duration refreshLifetime;
    private final Clock clock;
    private final SecureRandom random = SeededRandom.create();

    public DeviceSessions(SessionStore store, SessionRevoker revoker, Duration accessLifetime, Duration refreshLifetime,
            Clock clock) {
        this.store = store;
        this.revoker = revoker;
        this.accessLifetime = accessLifetime;
        this.refreshLifetime = refreshLifetime;
        this.clock = clock;
    }

    /** A live device session and, when it was just started or rotated, the refresh token that renews it. */
    public record Renewal(long userId, String sessionId, String deviceId, long expiresAtMillis, String refreshToken) {
    }

    /** Starts a device session for a log-in. */
    public CompletableFuture<Renewal> start(long userId, String deviceId) {
        long now = clock.millis();
        String sessionId = RefreshTokens.newSessionId(random);
        String secret = RefreshTokens.newSecret(random);
        long expires = now + refreshLifetime.toMillis();
        SessionRecord record = new SessionRecord(userId, sessionId, deviceId, RefreshTokens.hash(secret), List.of(),
                expires);
        return store.create(record, now).thenApply(ignored ->
                new Renewal(userId, sessionId, deviceId, expires, RefreshTokens.format(userId, sessionId, secret)));
    }

    /** The user a well-formed refresh token names (not that it is valid), or 0. */
    public static long userOf(String refreshToken) {
        return RefreshTokens.parse(refreshToken).map(RefreshTokens.Parsed::userId).orElse(0L);
    }

    /** Uses up {@code refreshToken}: the session, with the next refresh token. */
    public CompletableFuture<Renewal> refresh(String refreshToken) {
        RefreshTokens.Parsed parsed = RefreshTokens.parse(refreshToken).orElse(null);
        if (parsed == null) {
            return unauthenticated("not a refresh token");
        }
        return store.get(parsed.userId(), parsed.sessionId()).thenCompose(found -> {
            if (found.isEmpty()) {
                return unauthenticated(ENDED);
            }
            SessionRecord session = found.get();
            long now = clock.millis();
            switch (RefreshTokens.decide(session, parsed.hash(), now)) {
                case ROTATE: {
                    String secret = RefreshTokens.newSecret(random);
                    SessionRecord next = RefreshTokens.rotated(session, RefreshTokens.hash(secret),
                            now + refreshLifetime.toMillis());
                    return store.rotate(next, session.refreshHash()).thenCompose(swapped -> swapped
                            ? CompletableFuture.completedFuture(new Renewal(session.userId(), session.sessionId(),
                                    session.deviceId(), next.expiresAtMillis(),
                                    RefreshTokens.format(session.userId(), session.sessionId(), secret)))
                            // Another refresh with the same token won the race: that is a reuse too.
                            : reused(session));
                }
                case REUSED:
                    return reused(session);
                case EXPIRED:
                    return store.delete(session.userId(), session.sessionId())
                            .thenCompose(ignored -> unauthenticated(ENDED));
                default:
                    return unauthenticated("unknown refresh token");
            }
        });
    }

    /** The session of an access token, if it is still live: its refresh token is untouched. */
    public CompletableFuture<Renewal> live(long userId, String sessionId) {
        return store.get(userId, sessionId).thenCompose(found -> found.isPresent()
                        && found.get().expiresAtMillis() > clock.millis()
                ? CompletableFuture.completedFuture(new Renewal(userId, sessionId, found.get().deviceId(),
                        found.get().expiresAtMillis(), null))
                : unauthenticated(ENDED));
    }

    /** Ends one device session: its refresh token stops working and its access tokens are revoked. */
    public CompletableFuture<Void> logOut(long userId, String sessionId) {
        return store.delete(userId, sessionId).thenRun(() -> revokeSession(userId, sessionId));
    }

    /** Ends every device session of a user. */
    public CompletableFuture<Void> logOutEverywhere(long userId) {
        long now = clock.millis();
        return store.deleteAll(userId).thenAccept(count -> {
            LOG.info("User {} logged out everywhere ({} sessions)", userId, count);
            long keep = Math.max(accessLifetime.toMillis(), LEGACY_TOKEN_LIFETIME.toMillis());
            revoker.revoke(new Revocation().setUserId(userId).setRevokedAtMillis(now).setForgetAfterMillis(now + keep));
        });
    }

    private <T> CompletableFuture<T> reused(SessionRecord session) {
        LOG.warn("A used refresh token of user {} (device {}, session {}) was presented again: ending the session",
                session.userId(), session.deviceId(), session.sessionId());
        return logOut(session.userId(), session.sessionId()).thenCompose(ignored ->
                unauthenticated("refresh token already used: the session has ended on every device holding it"));
    }

    private void revokeSession(long userId, String sessionId) {
        long now = clock.millis();
        revoker.revoke(new Revocation().setUserId(userId).setSessionId(sessionId).setRevokedAtMillis(now)
                .setForgetAfterMillis(now + accessLifetime.toMillis()));
    }

    private static <T> CompletableFuture<T> unauthenticated(String message) {
        return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.UNAUTHENTICATED, message));
    }
}
