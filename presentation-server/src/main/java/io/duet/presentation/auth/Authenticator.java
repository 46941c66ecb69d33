package io.duet.presentation.auth;

import io.duet.protocol.relay.Principal;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.duet.protocol.token.TokenException;

/**
 * Turns a session token into the principal of the streams it may open: signature, expiry, and the
 * revocations pushed by application servers. Thread-safe and cheap (one HMAC, two map reads).
 */
public final class Authenticator {
    private final TokenCodec tokens;
    private final Revocations revocations;

    public Authenticator(TokenCodec tokens, Revocations revocations) {
        this.tokens = tokens;
        this.revocations = revocations;
    }

    /** The claims of a valid, unrevoked token that names a user. */
    public TokenClaims verify(String token) throws TokenException {
        TokenClaims claims = tokens.verify(token);
        if (claims.getUserId() == 0) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token names no user");
        }
        if (revocations.isRevoked(claims)) {
            throw new TokenException(TokenException.Reason.REVOKED, "the session of this token has ended: log in again");
        }
        return claims;
    }

    /** Whether a token with these claims has been revoked (since it was verified, say). */
    public boolean isRevoked(TokenClaims claims) {
        return revocations.isRevoked(claims);
    }

    public Principal authenticate(String token) throws TokenException {
        return principalOf(verify(token));
    }

    public static Principal principalOf(TokenClaims claims) {
        Principal principal = new Principal(claims.getUserId(), claims.getCoupleId(),
                claims.getDeviceId() == null ? "" : claims.getDeviceId());
        principal.setTokenExpiresAtMillis(claims.getExpiresAtMillis());
        if (claims.isSetSessionId()) {
            principal.setSessionId(claims.getSessionId());
        }
        return principal;
    }
}
