package io.duet.process.admin;

/**
 * A server that can be drained from its admin port: {@code POST /drain} starts the drain, {@code GET
 * /drain} tells where it stands (see {@link AdminHandler}). Both are called on the admin port's event
 * loop: they must return at once, never waiting for the drain itself.
 */
public interface DrainControl {
    /** Starts draining, unless it has started already (then nothing changes); returns the status after. */
    DrainStatus startDrain();

    /** Where the drain stands now. */
    DrainStatus drainStatus();
}
