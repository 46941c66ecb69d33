/**
 * The Duet client SDK. {@link io.duet.client.DuetClient} keeps a TCP session to the server: it
 * authenticates, resumes from the last sequence number it delivered, delivers events in order through
 * {@link io.duet.client.DuetListener}, retries unacknowledged sends with the same client message id,
 * and reconnects with backoff and jitter. {@link io.duet.client.DuetHttp} makes the calls that need no
 * session (sign-up, log-in, pairing) over HTTP with Thrift's stock HTTP client.
 *
 * <p>The SDK depends on no server module; its only runtime dependencies are the shared protocol,
 * Netty, libthrift and snappy-java.
 */
package io.duet.client;
