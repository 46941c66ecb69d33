package io.duet.app.account;

import io.duet.protocol.relay.Revocation;

/** Tells every presentation server that some tokens, though signed and unexpired, must be refused. */
public interface SessionRevoker {
    void revoke(Revocation revocation);
}
