package io.duet.process.admin;

import java.util.Objects;

/** Where a server's drain stands, with a one-line detail ("draining: 12 client sessions left"). */
public final class DrainStatus {
    /** The phases of a drain, in order; a drain never goes back. */
    public enum Phase {
        /** Not draining: serving as usual (or, with a detail that says so, not able to drain yet). */
        NOT_STARTED,
        /** Out of rotation and moving its clients away. */
        DRAINING,
        /** Every client has left (or was cut off at the deadline): the server can be stopped at once. */
        DRAINED
    }

    private final Phase phase;
    private final String detail;

    private DrainStatus(Phase phase, String detail) {
        this.phase = Objects.requireNonNull(phase, "phase");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public static DrainStatus of(Phase phase, String detail) {
        return new DrainStatus(phase, detail);
    }

    public Phase phase() {
        return phase;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return phase + ": " + detail;
    }
}
