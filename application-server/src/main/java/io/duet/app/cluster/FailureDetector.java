package io.duet.app.cluster;

import io.duet.protocol.cluster.ClusterPaths;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;

/**
 * Tells which application servers have stopped heartbeating (see {@link Heartbeat}). A server is
 * suspected when its node's modification time is more than {@code failureTimeout} older than the newest
 * heartbeat of any server, or when it has had no heartbeat node for that long. Both times are ZooKeeper's, so an
 * observer that was itself paused does not suspect everyone on waking: its view of "now" is as old as
 * its view of the others.
 *
 * <p><b>Crashes</b> are told apart faster: when a presentation server reports that the server's relay
 * endpoint refuses connections (its process is gone, the host answers for the port: {@link
 * io.duet.protocol.cluster.RefusalReports}, under {@link ClusterPaths#REFUSALS}), a lag of more than
 * {@code crashSuspectTimeout} is enough. A report alone never is: a server whose heartbeat keeps up stays trusted however many reports name it, and a
 * paused or partitioned server (whose port does not refuse) still takes the full timeout.
 *
 * <p>It follows the heartbeat nodes' modification times through {@link HeartbeatTimes}, which reads their
 * stat alone and, in a server, not this server's own node: its time comes from its {@link Heartbeat}'s
 * acknowledgements.
 *
 * <p>The detector may be wrong (a server starved of CPU for longer than the timeout is suspected while
 * alive); that costs a handoff of its shards, never data, because HBase fences every write.
 */
public final class FailureDetector implements AutoCloseable {
    private final HeartbeatTimes heartbeats;
    /** This server's own heartbeat, whose node's time it knows without reading it; null: read like the others. */
    private final Heartbeat own;
    private final CuratorCache refusals;
    private final String selfId;
    private final long timeoutMillis;
    private final long crashSuspectMillis;
    private final long timeoutNanos;
    /**
     * Members seen without a heartbeat node, and since when (System.nanoTime()). A member that just joined
     * can reach this server's view before its heartbeat does (the two are separate caches), so a missing
     * node is suspicious only once it has been missing for the timeout.
     */
    private final Map<String, Long> missingSince = new ConcurrentHashMap<>();
    private final CuratorFramework curator;
    private final ConnectionStateListener reconnections = this::connectionChanged;
    /**
     * Until when (System.nanoTime()) to suspect no one: after this server reconnects to ZooKeeper, the
     * others may not have reconnected yet (a ZooKeeper restart cuts everyone off), and their lag says
     * nothing about them until they have had a timeout to resume.
     */
    private volatile long quietUntilNanos;

    /**
     * @param selfId this server, never suspected by itself: if its own heartbeat lags (its threads were
     *     starved), its lease stops it serving, and the others decide whether it is dead
     */
    public FailureDetector(CuratorFramework curator, String selfId, Duration failureTimeout) {
        this(curator, selfId, failureTimeout, failureTimeout, null);
    }

    /**
     * @param crashSuspectTimeout the lag past which a server reported by a presentation server is suspected;
     *     at most {@code failureTimeout} (equal: reports change nothing)
     */
    public FailureDetector(CuratorFramework curator, String selfId, Duration failureTimeout,
            Duration crashSuspectTimeout) {
        this(curator, selfId, failureTimeout, crashSuspectTimeout, null);
    }

    /**
     * @param own this server's heartbeat, started: the time of its node is then taken from its renewals'
     *     acknowledgements ({@link Heartbeat#zookeeperMillis()}) instead of read back from ZooKeeper, so that
     *     its renewals wake only the other servers; null to read it like the others'
     */
    public FailureDetector(CuratorFramework curator, String selfId, Duration failureTimeout,
            Duration crashSuspectTimeout, Heartbeat own) {
        if (crashSuspectTimeout.isNegative() || crashSuspectTimeout.isZero()
                || crashSuspectTimeout.compareTo(failureTimeout) > 0) {
            throw new IllegalArgumentException("crash-suspect timeout: " + crashSuspectTimeout
                    + " (expected: > 0 and <= the failure timeout, " + failureTimeout + ")");
        }
        this.heartbeats = new HeartbeatTimes(curator, own == null ? null : selfId);
        this.own = own;
        this.refusals = CuratorCache.build(curator, ClusterPaths.REFUSALS);
        this.curator = curator;
        this.selfId = selfId;
        this.timeoutMillis = failureTimeout.toMillis();
        this.timeoutNanos = failureTimeout.toNanos();
        this.crashSuspectMillis = crashSuspectTimeout.toMillis();
    }

    /** Starts following the heartbeats; waits (at start-up) until the first view is loaded. */
    public void start() throws Exception {
        curator.getConnectionStateListenable().addListener(reconnections);
        heartbeats.start();
        refusals.start();
    }

    /** The servers among {@code serverIds} that look dead now, sorted. */
    public Set<String> suspects(Collection<String> serverIds) {
        long newest = newestHeartbeatMillis();
        long now = System.nanoTime();
        Set<String> reported = reported();
        Set<String> suspects = new TreeSet<>();
        if (now - quietUntilNanos < 0) {
            missingSince.clear();
            return suspects;
        }
        for (String id : serverIds) {
            long lag = lagMillis(id, newest);
            if (lag >= 0) {
                missingSince.remove(id);
            }
            if (id.equals(selfId)) {
                continue;
            }
            if (suspect(lag, reported.contains(id), timeoutMillis, crashSuspectMillis)
                    || lag < 0 && now - missingSince.computeIfAbsent(id, missing -> now) > timeoutNanos) {
                suspects.add(id);
            }
        }
        missingSince.keySet().retainAll(serverIds);
        return suspects;
    }

    /**
     * The rule, for a server with a heartbeat: suspected when its heartbeat lags the newest by more than
     * {@code failureTimeoutMillis}, or, if a presentation server reports its relay endpoint refusing
     * connections, by more than {@code crashSuspectMillis}. A negative lag (no heartbeat) is never suspect here.
     */
    static boolean suspect(long lagMillis, boolean reported, long failureTimeoutMillis, long crashSuspectMillis) {
        return lagMillis > failureTimeoutMillis || reported && lagMillis > crashSuspectMillis;
    }

    /** The servers some presentation server reports as refusing connections now. */
    public Set<String> reported() {
        Set<String> ids = new TreeSet<>();
        String prefix = ClusterPaths.REFUSALS + "/";
        refusals.stream().forEach(node -> {
            String rest = node.getPath().startsWith(prefix) ? node.getPath().substring(prefix.length()) : "";
            int slash = rest.indexOf('/');
            if (slash > 0) {
                ids.add(rest.substring(0, slash));
            }
        });
        return ids;
    }

    /** The presentation servers that report {@code serverId}'s relay endpoint refusing connections. */
    public Set<String> reporters(String serverId) {
        Set<String> ids = new TreeSet<>();
        String prefix = ClusterPaths.refusals(serverId) + "/";
        refusals.stream().filter(node -> node.getPath().startsWith(prefix))
                .forEach(node -> ids.add(node.getPath().substring(prefix.length())));
        return ids;
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            quietUntilNanos = System.nanoTime() + 2 * timeoutNanos;
        }
    }

    /** How far {@code serverId}'s last heartbeat lags the newest one, in ms; -1 if it has none. */
    public long lagMillis(String serverId) {
        return lagMillis(serverId, newestHeartbeatMillis());
    }

    private long lagMillis(String serverId, long newest) {
        OptionalLong mtime = own != null && serverId.equals(selfId) ? ownMtime() : heartbeats.mtime(serverId);
        return mtime.isEmpty() ? -1 : newest - mtime.getAsLong();
    }

    private OptionalLong ownMtime() {
        long written = own.zookeeperMillis();
        return written == 0 ? OptionalLong.empty() : OptionalLong.of(written);
    }

    /** ZooKeeper's time as this server last heard it: the newest heartbeat's modification time. */
    public long zookeeperNowMillis() {
        return newestHeartbeatMillis();
    }

    private long newestHeartbeatMillis() {
        return Math.max(heartbeats.newestMillis(), own == null ? 0 : own.zookeeperMillis());
    }

    @Override
    public void close() {
        curator.getConnectionStateListenable().removeListener(reconnections);
        heartbeats.close();
        refusals.close();
    }
}
