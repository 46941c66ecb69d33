/**
 * Rate limits of client calls. {@link io.duet.app.limits.Limit} lists every limit with its default;
 * {@link io.duet.app.limits.RateLimits} holds the configured rates ({@code limits.*} settings);
 * {@link io.duet.app.limits.RateLimiter} keeps a Bucket4j token bucket per limit and key (address, user,
 * device, couple) in bounded caches, in each server's memory, and answers {@code RATE_LIMITED} with a
 * retry-after; {@link io.duet.app.limits.LogInAttempts} counts wrong passwords per account in shared storage
 * instead, so that the limit on guessing a password holds across the cluster. The services in {@code
 * io.duet.app.api} ask the limiter before doing any work, and {@code Accounts} asks the attempts before
 * each password check; {@link
 * io.duet.app.limits.SourceAddress} turns the client address the presentation server relays into a key.
 */
package io.duet.app.limits;
