/**
 * Rate limits of client calls. {@link io.duet.app.limits.Limit} lists every limit with its default;
 * {@link io.duet.app.limits.RateLimits} holds the configured rates ({@code limits.*} settings);
 * {@link io.duet.app.limits.RateLimiter} keeps a Bucket4j token bucket per limit and key (address, user,
 * device, couple, email) in bounded caches and answers {@code RATE_LIMITED} with a retry-after. The
 * services in {@code io.duet.app.api} ask it before doing any work; {@link
 * io.duet.app.limits.SourceAddress} turns the client address the presentation server relays into a key.
 */
package io.duet.app.limits;
