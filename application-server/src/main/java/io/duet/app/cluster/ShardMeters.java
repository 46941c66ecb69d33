package io.duet.app.cluster;

import io.duet.process.metrics.Latency;
import io.duet.protocol.cluster.ShardMapView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What this server measures of its shards, from each shard map it sees ({@link
 * ShardOwnership#addListener}); in Prometheus form:
 *
 * <pre>
 * duet_shards_owned                  gauge  shards the latest map gives this server
 * duet_shards_reconfirm_failures     gauge  re-reads of the shard map in a row that failed after a lapsed lease or a
 *                                           reconnection (ZooKeeper errors, an unreadable map): above 0, this server
 *                                           serves nothing and retries (at most every 5 s); 0 normally
 * duet_heartbeat_lease_lapses_total  counter times this server went cluster.crash-suspect-timeout without an
 *                                           acknowledged heartbeat (paused, starved of CPU, cut off from ZooKeeper,
 *                                           not applying shard maps) and then regained it; it serves nothing meanwhile
 * duet_heartbeat_renewals_held_back_total counter heartbeat renewals not written because the shard map had
 *                                           changed over half a lease before and this server had not applied it:
 *                                           0 normally; rising, its map listener is stuck, and its lease runs out
 * duet_shards_moved_seconds{cause}   timer  for each map that gives this server shards it did not have: from the
 *                                           map's publication (the leader's clock) to this server seeing it, when it
 *                                           starts serving them; cause "handoff" when their previous owner is still
 *                                           in the map (it left or the map was rebalanced), "failover" when it is
 *                                           not (it was found dead: its heartbeat had lagged cluster.failure-timeout
 *                                           before the map was published, which this does not include)
 * </pre>
 *
 * The previous owner stops serving a shard when it sees the same map, so this is about how long the
 * shard is served by nobody; each couple then loads on its first call ({@code
 * duet_hbase_calls_seconds{op="claim"}}).
 */
public final class ShardMeters implements Consumer<ShardMapView> {
    public static final String OWNED = "duet.shards.owned";
    public static final String MOVED = "duet.shards.moved";
    public static final String RECONFIRM_FAILURES = "duet.shards.reconfirm.failures";
    public static final String LEASE_LAPSES = "duet.heartbeat.lease.lapses";
    public static final String RENEWALS_HELD_BACK = "duet.heartbeat.renewals.held.back";

    private final String instanceId;
    private final Clock clock;
    private final Timer handoff;
    private final Timer failover;
    private volatile int owned;
    /** The last map seen; only the listener thread touches it. */
    private ShardMapView previous;

    private ShardMeters(MeterRegistry registry, String instanceId, Clock clock) {
        this.instanceId = instanceId;
        this.clock = clock;
        this.handoff = moved(registry, "handoff");
        this.failover = moved(registry, "failover");
        Gauge.builder(OWNED, this, meters -> meters.owned)
                .description("Shards the latest shard map gives this server")
                .register(registry);
    }

    private static Timer moved(MeterRegistry registry, String cause) {
        return Latency.timer(MOVED)
                .description("From the publication of a map that gives this server shards to this server seeing it")
                .tag("cause", cause)
                .register(registry);
    }

    /** Binds the meters and listens to {@code ownership}'s maps. */
    public static ShardMeters bind(MeterRegistry registry, ShardOwnership ownership, String instanceId, Clock clock) {
        ShardMeters meters = new ShardMeters(registry, instanceId, clock);
        ownership.addListener(meters);
        Gauge.builder(RECONFIRM_FAILURES, ownership, ShardOwnership::reconfirmFailures)
                .description("Failed re-reads in a row of the shard map after a lapsed lease or a reconnection; "
                        + "this server serves nothing while above 0")
                .register(registry);
        return meters;
    }

    /** Binds the counts of {@code member}'s heartbeat lease lapses and renewals held back. */
    public static void bindLease(MeterRegistry registry, ClusterMember member) {
        FunctionCounter.builder(LEASE_LAPSES, member, ClusterMember::leaseLapses)
                .description("Times this server's heartbeat lease lapsed (it served nothing) and was regained")
                .register(registry);
        FunctionCounter.builder(RENEWALS_HELD_BACK, member, ClusterMember::renewalsHeldBack)
                .description("Heartbeat renewals not written because the shard map changed over half a lease "
                        + "before and this server had not applied it")
                .register(registry);
    }

    @Override
    public synchronized void accept(ShardMapView view) {
        ShardMapView before = previous;
        previous = view;
        int count = 0;
        boolean handedOff = false;
        boolean failedOver = false;
        for (int shard = 0; shard < view.shardCount(); shard++) {
            if (!view.ownerIdOf(shard).filter(instanceId::equals).isPresent()) {
                continue;
            }
            count++;
            Optional<String> was = before == null || before.epoch() >= view.epoch()
                    || before.shardCount() != view.shardCount() ? Optional.of(instanceId) : before.ownerIdOf(shard);
            if (was.isPresent() && !was.get().equals(instanceId)) {
                if (view.servers().containsKey(was.get())) {
                    handedOff = true;
                } else {
                    failedOver = true;
                }
            }
        }
        owned = count;
        long lagMillis = Math.max(0, clock.millis() - view.publishedAtMillis());
        if (handedOff) {
            handoff.record(lagMillis, TimeUnit.MILLISECONDS);
        }
        if (failedOver) {
            failover.record(lagMillis, TimeUnit.MILLISECONDS);
        }
    }
}
