package io.duet.app.rpc;

import io.duet.app.couple.SessionStream;
import java.util.Optional;

/** One call's context: the caller, and the client session it came over (absent for HTTP requests). */
public final class CallContext {
    private final Caller caller;
    private final SessionStream session;

    public CallContext(Caller caller, SessionStream session) {
        this.caller = caller;
        this.session = session;
    }

    public Caller caller() {
        return caller;
    }

    /** The TCP session the call came over; empty for one-shot HTTP calls. */
    public Optional<SessionStream> session() {
        return Optional.ofNullable(session);
    }
}
