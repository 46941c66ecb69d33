package io.duet.presentation.relay;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Whether this presentation server can relay, for {@code /ready}: it can while at least one relay link to
 * an application server of the shard map is up (that server answered HELLO, so TLS and the relay version
 * were accepted). Until the first link comes up it cannot. Once links have been up, losing the last of
 * them counts only after {@link #DEFAULT_GRACE}: a link being re-established (an application server
 * restarting in a rolling deploy, a dropped connection) does not flap the server out of the load
 * balancer's rotation. Reads and writes volatile state only; any thread.
 */
public final class RelayHealth {
    /** Longer than reconnecting a dropped link takes ({@link AppServerDirectory} retries every 2 s). */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final long NEVER = Long.MIN_VALUE;

    private final Duration grace;
    private final LongSupplier nanoTime;
    /** When the last link that had been up closed; {@link #NEVER} before any did. */
    private volatile long lastLostNanos = NEVER;

    public RelayHealth() {
        this(DEFAULT_GRACE, System::nanoTime);
    }

    RelayHealth(Duration grace, LongSupplier nanoTime) {
        this.grace = grace;
        this.nanoTime = nanoTime;
    }

    /** A link that had been up closed. */
    void linkLost() {
        lastLostNanos = nanoTime.getAsLong();
    }

    /**
     * Why this server cannot relay, given whether any link to a server of the shard map is up now; empty
     * if it can (or lost its last link less than the grace ago).
     */
    Optional<String> whyNot(boolean anyLinkUp) {
        if (anyLinkUp) {
            return Optional.empty();
        }
        long lost = lastLostNanos;
        if (lost == NEVER) {
            return Optional.of("no relay link up to any application server of the shard map yet"
                    + " (relay.tls or the relay version may not match theirs)");
        }
        long downMillis = Duration.ofNanos(nanoTime.getAsLong() - lost).toMillis();
        if (downMillis < grace.toMillis()) {
            return Optional.empty();
        }
        return Optional.of("no relay link up to any application server of the shard map for " + downMillis + " ms");
    }
}
