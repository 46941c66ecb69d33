package io.duet.app;

import io.duet.app.couple.CatchUpReads;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.limits.Limit;
import io.duet.app.limits.LogInAttempts;
import io.duet.app.limits.RateLimiter;
import io.duet.app.push.Pushes;
import io.duet.app.relay.PresentationLinks;
import io.duet.app.storage.CoupleStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The application server's own meters, all read from counts its parts keep anyway, so a scrape costs
 * nothing on the hot path. Names are stable (dashboards and alerts use them); in Prometheus form:
 *
 * <pre>
 * duet_catchup_missing_ranges_total     counter  committed ranges catch-up or history found missing in HBase (data loss)
 * duet_catchup_missing_messages_total   counter  messages in those ranges
 * duet_catchup_reads_in_flight          gauge    catch-up and history reads from HBase in flight now (at most
 *                                                couples.catch-up.max-reads)
 * duet_catchup_reads_waiting            gauge    such reads waiting for their turn now
 * duet_catchup_reads_waited_total       counter  such reads that had to wait for their turn
 * duet_messages_committed_total         counter  messages stored by this server (successful conditional writes)
 * duet_couples_loaded                   gauge    couples loaded on this server now
 * duet_archive_moves_total              counter  buckets of old messages moved (or edits folded) into the archive
 * duet_relay_links_open                 gauge    relay links from presentation servers open now
 * duet_relay_streams_open               gauge    streams (sessions, requests) open on those links now
 * duet_rate_limited_total{limit}        counter  calls refused RATE_LIMITED, by limit (such as log-in.per-address)
 * duet_pushes_total{outcome}            counter  pushes to offline partners: sent, held_back, duplicate, dropped,
 *                                                failed, invalid_token
 * duet_push_queue                       gauge    messages waiting for a push worker
 * </pre>
 *
 * Timers live with what they time: calls by method in {@code rpc.CallMeters}, HBase calls and group
 * commits in {@link io.duet.app.storage.StoreMeters}, shards owned and moved in {@link
 * io.duet.app.cluster.ShardMeters}, the event fan-out lag ({@link io.duet.process.metrics.FanOutLag}) by
 * the couples' deliveries.
 */
final class ApplicationMetrics {
    static final String MISSING_RANGES = "duet.catchup.missing.ranges";
    static final String MISSING_MESSAGES = "duet.catchup.missing.messages";
    static final String CATCH_UP_READS_IN_FLIGHT = "duet.catchup.reads.in.flight";
    static final String CATCH_UP_READS_WAITING = "duet.catchup.reads.waiting";
    static final String CATCH_UP_READS_WAITED = "duet.catchup.reads.waited";
    static final String MESSAGES_COMMITTED = "duet.messages.committed";
    static final String COUPLES_LOADED = "duet.couples.loaded";
    static final String ARCHIVE_MOVES = "duet.archive.moves";
    static final String RELAY_LINKS_OPEN = "duet.relay.links.open";
    static final String RELAY_STREAMS_OPEN = "duet.relay.streams.open";
    static final String RATE_LIMITED = "duet.rate.limited";

    private ApplicationMetrics() {
    }

    static void bind(MeterRegistry registry, CatchUpReads catchUpReads, CoupleStore coupleStore,
            CoupleRegistry couples, PresentationLinks presentationLinks) {
        FunctionCounter.builder(MISSING_RANGES, catchUpReads, CatchUpReads::missingRanges)
                .description("Ranges of committed messages catch-up or history found missing in HBase (data loss)")
                .register(registry);
        FunctionCounter.builder(MISSING_MESSAGES, catchUpReads, CatchUpReads::missingMessages)
                .description("Committed messages catch-up or history found missing in HBase (data loss)")
                .register(registry);
        Gauge.builder(CATCH_UP_READS_IN_FLIGHT, catchUpReads, CatchUpReads::inFlight)
                .description("Catch-up and history reads from HBase in flight (at most couples.catch-up.max-reads)")
                .register(registry);
        Gauge.builder(CATCH_UP_READS_WAITING, catchUpReads, CatchUpReads::waiting)
                .description("Catch-up and history reads waiting for their turn")
                .register(registry);
        FunctionCounter.builder(CATCH_UP_READS_WAITED, catchUpReads, CatchUpReads::waited)
                .description("Catch-up and history reads that had to wait for their turn")
                .register(registry);
        FunctionCounter.builder(MESSAGES_COMMITTED, coupleStore, CoupleStore::messagesCommitted)
                .description("Messages this server stored in HBase")
                .register(registry);
        Gauge.builder(COUPLES_LOADED, couples, CoupleRegistry::loadedCount)
                .description("Couples loaded on this server")
                .register(registry);
        FunctionCounter.builder(ARCHIVE_MOVES, couples, CoupleRegistry::archiveMoves)
                .description("Buckets of old messages moved, or edits folded, into the archive by this server")
                .register(registry);
        Gauge.builder(RELAY_LINKS_OPEN, presentationLinks, PresentationLinks::openLinks)
                .description("Relay links from presentation servers")
                .register(registry);
        Gauge.builder(RELAY_STREAMS_OPEN, presentationLinks, PresentationLinks::openStreams)
                .description("Streams open on the relay links")
                .register(registry);
    }

    /** What became of each push considered, by outcome, and the push queue's length. */
    static void bindPushes(MeterRegistry registry, Pushes pushes) {
        Map<String, ToDoubleFunction<Pushes>> outcomes = new LinkedHashMap<>();
        outcomes.put("sent", Pushes::sent);
        outcomes.put("held_back", Pushes::heldBack);
        outcomes.put("duplicate", Pushes::duplicates);
        outcomes.put("dropped", Pushes::dropped);
        outcomes.put("failed", Pushes::failed);
        outcomes.put("invalid_token", Pushes::invalidTokens);
        outcomes.forEach((outcome, count) -> FunctionCounter.builder("duet.pushes", pushes, count)
                .description("Pushes to offline partners, by outcome")
                .tag("outcome", outcome)
                .register(registry));
        Gauge.builder("duet.push.queue", pushes, Pushes::queued)
                .description("Messages waiting for a push worker")
                .register(registry);
    }

    /** Refusals of every limit: the per-account log-in limit's are counted by {@code logInAttempts}. */
    static void bindRateLimits(MeterRegistry registry, RateLimiter limiter, LogInAttempts logInAttempts) {
        for (Limit limit : Limit.values()) {
            FunctionCounter.builder(RATE_LIMITED, limiter, l -> limit == Limit.LOG_IN_PER_ACCOUNT
                            ? logInAttempts.refusals() : l.refusals(limit))
                    .description("Calls refused RATE_LIMITED")
                    .tag("limit", limit.key())
                    .register(registry);
        }
    }
}
