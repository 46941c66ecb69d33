/**
 * The Duet client SDK. {@link io.duet.client.DuetClient} keeps a TCP session to the server: it
 * authenticates, resumes from the last sequence number it delivered and the last change (edit or delete)
 * it applied, so the changes made meanwhile come first, delivers events in order through
 * {@link io.duet.client.DuetListener}, retries unacknowledged sends with the same client message id,
 * counts the sends still pending ({@link io.duet.client.DuetClient#pendingSends()}, for the app to show),
 * and reconnects with backoff and jitter, through the one endpoint it was given (resolved again at every
 * attempt). Over the session it also pages history both ways, marks messages read and reads the read
 * state (the listener hears both partners' read marks), and uploads, lists, downloads and deletes photos:
 * the calls go over the session, the photo's bytes over HTTP straight to the object store, by presigned URL
 * ({@code PhotoTransfer}, with the JDK's HTTP client). {@link io.duet.client.DuetHttp} makes the calls
 * that need no session (sign-up, log-in, pairing) over HTTP with Thrift's stock HTTP client, and follows a
 * couple without a session ({@link io.duet.client.DuetFeed}, long polls of {@code FeedService.pollEvents}
 * handing the same events to the same listener); its calls that cannot connect or wait too long for an answer
 * ({@link io.duet.client.HttpTimeouts}) fail with an {@link io.duet.client.HttpTimeoutException}. DuetHttp says
 * which calls there are; how they travel (transports, HTTPS connections, the generated clients) is {@code
 * HttpServiceClients}'s. Both speak TLS when given a {@link
 * io.duet.client.DuetTls}, and resume the TLS session on reconnect.
 *
 * <p>The SDK depends on no server module; its only runtime dependencies are the shared protocol,
 * Netty, libthrift (with
 * Apache HttpClient 5, which it brings) and snappy-java.
 */
package io.duet.client;
