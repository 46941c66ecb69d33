package io.duet.protocol.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A presentation server's reports of application servers whose relay endpoint refuses connections: one
 * ephemeral node per reported instance at {@link ClusterPaths#refusal}, which the leader's failure
 * detector takes as evidence of a crash (it still waits for the server's heartbeat to lag; a report
 * alone never takes a server out).
 *
 * <p>Callers only say what they saw ({@link #refused}, {@link #reachable}, {@link #retain}); that is a
 * map update, so they may be event loops. One background thread makes ZooKeeper match the latest wish
 * for each instance, so the work is bounded by the number of application servers, however many
 * events come, and repeated events cost nothing. After a ZooKeeper reconnection everything is written
 * again (the session, and with it the nodes, may have been lost).
 */
public final class RefusalReports implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalReports.class);
    private static final long RETRY_MILLIS = 1000;

    private final CuratorFramework curator;
    private final String reporterId;
    /** Instance → whether a report should exist; entries are removed once no report exists. */
    private final Map<String, Boolean> wanted = new ConcurrentHashMap<>();
    /** Instances whose report this reporter has written; changed on the executor only. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean syncScheduled = new AtomicBoolean();
    private final ConnectionStateListener reconnections = this::connectionChanged;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "duet-refusal-reports");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    /**
     * @param curator a client in the cluster's namespace
     * @param reporterId this presentation server's instance id
     */
    public RefusalReports(CuratorFramework curator, String reporterId) {
        this.curator = curator;
        this.reporterId = reporterId;
        curator.getConnectionStateListenable().addListener(reconnections);
    }

    /** A connection to {@code instanceId}'s advertised relay endpoint was refused; any thread. */
    public void refused(String instanceId) {
        if (wanted.put(instanceId, Boolean.TRUE) != Boolean.TRUE) {
            scheduleSync(0);
        }
    }

    /** A relay link to {@code instanceId} is up again; any thread. */
    public void reachable(String instanceId) {
        if (wanted.replace(instanceId, Boolean.TRUE, Boolean.FALSE)) {
            scheduleSync(0);
        }
    }

    /** Drops the reports against instances not in {@code instanceIds} (they left the cluster); any thread. */
    public void retain(Collection<String> instanceIds) {
        boolean changed = false;
        for (Map.Entry<String, Boolean> entry : wanted.entrySet()) {
            if (!instanceIds.contains(entry.getKey()) && entry.getValue()) {
                changed |= wanted.replace(entry.getKey(), Boolean.TRUE, Boolean.FALSE);
            }
        }
        if (changed) {
            scheduleSync(0);
        }
    }

    /** Whether a report against {@code instanceId} is wanted now (written or about to be). */
    public boolean reporting(String instanceId) {
        return wanted.getOrDefault(instanceId, Boolean.FALSE);
    }

    private void connectionChanged(CuratorFramework client, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED) {
            executor.execute(written::clear);
            scheduleSync(0);
        }
    }

    private void scheduleSync(long delayMillis) {
        if (!closed && syncScheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::sync, delayMillis, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed meanwhile.
            }
        }
    }

    /** Makes ZooKeeper match {@link #wanted}; on the executor. */
    private void sync() {
        syncScheduled.set(false);
        try {
            for (Map.Entry<String, Boolean> entry : wanted.entrySet()) {
                String instance = entry.getKey();
                if (entry.getValue()) {
                    if (!written.contains(instance)) {
                        create(instance);
                        written.add(instance);
                        LOG.info("Reported {}: its relay endpoint refuses connections", instance);
                    }
                } else {
                    if (written.contains(instance)) {
                        curator.delete().quietly().forPath(ClusterPaths.refusal(instance, reporterId));
                        written.remove(instance);
                        LOG.info("Withdrew the report against {}", instance);
                    }
                    // Removed only if no newer report came meanwhile.
                    wanted.remove(instance, Boolean.FALSE);
                }
            }
        } catch (Exception e) {
            if (!closed) {
                LOG.debug("Refusal reports not written yet; retrying: {}", e.toString());
                scheduleSync(RETRY_MILLIS);
            }
        }
    }

    private void create(String instance) throws Exception {
        try {
            curator.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                    .forPath(ClusterPaths.refusal(instance, reporterId));
        } catch (KeeperException.NodeExistsException e) {
            // Written before (this session); nothing to do.
        }
    }

    /** Stops reporting; the nodes go with this server's ZooKeeper session, or now if it is still open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        curator.getConnectionStateListenable().removeListener(reconnections);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String instance : written) {
            try {
                curator.delete().quietly().forPath(ClusterPaths.refusal(instance, reporterId));
            } catch (Exception e) {
                LOG.debug("Report against {} not withdrawn: {}", instance, e.toString());
            }
        }
    }
}
