package io.duet.process.admin;

import java.util.Optional;

/**
 * Whether a server should get traffic now, as {@code GET /ready} reports it. Called on the admin port's
 * event loop for every request: it must be quick and must never block (read volatile state, no I/O, no
 * locks others hold for long).
 */
@FunctionalInterface
public interface ReadinessCheck {
    /** Empty when ready; otherwise why not, in one short line ("ZooKeeper connection SUSPENDED"). */
    Optional<String> whyNotReady();
}
