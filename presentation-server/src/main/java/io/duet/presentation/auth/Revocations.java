package io.duet.presentation.auth;

import io.duet.protocol.relay.Revocation;
import io.duet.protocol.token.TokenClaims;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revocations application servers pushed to this server: signed, unexpired tokens that must be
 * refused all the same (a log-out, a reused refresh token). Each is kept until its {@code
 * forgetAfterMillis}, when every token it could match has expired, so the memory held is bounded by the
 * log-outs of one token lifetime. Thread-safe; a lookup is two hash-map reads.
 */
public final class Revocations {
    /** Per user, the latest "every token issued at or before this" instant, and when to forget it. */
    private final Map<Long, Entry> everySession = new ConcurrentHashMap<>();
    /** Per user and device session (key "userId/sessionId"): every token of it, until the instant given. */
    private final Map<String, Entry> oneSession = new ConcurrentHashMap<>();
    private final Clock clock;

    public Revocations(Clock clock) {
        this.clock = clock;
    }

    private record Entry(long revokedAtMillis, long forgetAfterMillis) {
    }

    /** Remembers {@code revocation}, and forgets those no token can match any more. */
    public void add(Revocation revocation) {
        long now = clock.millis();
        everySession.values().removeIf(entry -> entry.forgetAfterMillis < now);
        oneSession.values().removeIf(entry -> entry.forgetAfterMillis < now);
        Entry entry = new Entry(revocation.getRevokedAtMillis(), revocation.getForgetAfterMillis());
        if (revocation.isSetSessionId()) {
            oneSession.merge(key(revocation.getUserId(), revocation.getSessionId()), entry, Revocations::later);
        } else {
            everySession.merge(revocation.getUserId(), entry, Revocations::later);
        }
    }

    /** Whether a token with these (verified) claims has been revoked. */
    public boolean isRevoked(TokenClaims claims) {
        Entry all = everySession.get(claims.getUserId());
        if (all != null && claims.getIssuedAtMillis() <= all.revokedAtMillis) {
            return true;
        }
        return claims.isSetSessionId() && oneSession.containsKey(key(claims.getUserId(), claims.getSessionId()));
    }

    /** Whether {@code revocation} revokes a token with these claims (whether or not it was added). */
    public static boolean matches(Revocation revocation, TokenClaims claims) {
        if (revocation.getUserId() != claims.getUserId()) {
            return false;
        }
        if (revocation.isSetSessionId()) {
            return revocation.getSessionId().equals(claims.getSessionId());
        }
        return claims.getIssuedAtMillis() <= revocation.getRevokedAtMillis();
    }

    /** How many revocations are remembered. */
    public int size() {
        return everySession.size() + oneSession.size();
    }

    private static Entry later(Entry a, Entry b) {
        return new Entry(Math.max(a.revokedAtMillis, b.revokedAtMillis),
                Math.max(a.forgetAfterMillis, b.forgetAfterMillis));
    }

    private static String key(long userId, String sessionId) {
        return userId + "/" + sessionId;
    }
}
