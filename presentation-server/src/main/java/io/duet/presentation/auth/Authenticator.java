package io.duet.presentation.auth;

import io.duet.protocol.relay.Principal;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.duet.protocol.token.TokenException;

/** Turns a session token into the principal of the streams it may open. Thread-safe and cheap (one HMAC). */
public final class Authenticator {
    private final TokenCodec tokens;

    public Authenticator(TokenCodec tokens) {
        this.tokens = tokens;
    }

    public Principal authenticate(String token) throws TokenException {
        TokenClaims claims = tokens.verify(token);
        if (claims.getUserId() == 0) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token names no user");
        }
        return new Principal(claims.getUserId(), claims.getCoupleId(),
                claims.getDeviceId() == null ? "" : claims.getDeviceId());
    }
}
