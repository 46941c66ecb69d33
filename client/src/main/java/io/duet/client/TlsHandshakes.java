package io.duet.client;

/**
 * The TLS handshakes of a {@link DuetClient}'s connections so far: how many were full, and how many
 * resumed an earlier session (by ticket, at a fraction of the cost). Both 0 without TLS.
 */
public record TlsHandshakes(long full, long resumed) {
}
