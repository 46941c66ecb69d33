package io.duet.protocol.cluster;

import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the cluster's records for status pages, on a thread of its own, and keeps the newest
 * {@link ClusterStatus}; {@link #snapshot()} only reads that, so an admin event loop may call it.
 *
 * <p>It reads only while someone looks: a snapshot asked for within {@code idleAfter} keeps it reading
 * every {@code refreshInterval}; with no one looking it costs ZooKeeper nothing. The first snapshot after
 * a quiet spell is the old one (or none), and a fresh one follows within a {@link #TICK}.
 */
public final class ClusterStatusReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStatusReader.class);
    /** How often the reader checks whether anyone looks. */
    static final Duration TICK = Duration.ofMillis(250);
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_IDLE_AFTER = Duration.ofSeconds(60);

    private enum State { NEW, RUNNING, CLOSED }

    private final CuratorFramework curator;
    private final Clock clock;
    private final long refreshNanos;
    private final long idleNanos;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "duet-status-reader");
        thread.setDaemon(true);
        return thread;
    });
    private volatile ClusterStatus latest;
    /** System.nanoTime() of the newest snapshot() call; 0 before the first. */
    private volatile long wantedAtNanos;
    /** System.nanoTime() of the newest reading; touched only on the reader's thread. */
    private long readAtNanos;
    private boolean everRead;

    /** @param curator a client in the cluster's namespace ({@link ClusterPaths#namespace}) */
    public ClusterStatusReader(CuratorFramework curator, Clock clock, Duration refreshInterval, Duration idleAfter) {
        this.curator = Objects.requireNonNull(curator, "curator");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (refreshInterval.toMillis() < 1) {
            throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: >= 1ms)");
        }
        if (idleAfter.compareTo(refreshInterval) < 0) {
            throw new IllegalArgumentException("idleAfter: " + idleAfter + " (expected: >= refreshInterval "
                    + refreshInterval + ")");
        }
        this.refreshNanos = refreshInterval.toNanos();
        this.idleNanos = idleAfter.toNanos();
    }

    public ClusterStatusReader(CuratorFramework curator) {
        this(curator, Clock.systemUTC(), DEFAULT_REFRESH_INTERVAL, DEFAULT_IDLE_AFTER);
    }

    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        executor.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The newest reading, if there has been one; asks for fresh ones for the next {@code idleAfter}. Never blocks. */
    public Optional<ClusterStatus> snapshot() {
        wantedAtNanos = System.nanoTime();
        return Optional.ofNullable(latest);
    }

    private void tick() {
        long wanted = wantedAtNanos;
        long now = System.nanoTime();
        if (wanted == 0 || now - wanted > idleNanos) {
            return;
        }
        // No reading happens while no one looks, so after a quiet spell the newest is old: read at once.
        if (everRead && now - readAtNanos < refreshNanos) {
            return;
        }
        everRead = true;
        readAtNanos = now;
        try {
            latest = read();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Reading the cluster's records failed: {}", e.toString());
            latest = ClusterStatus.failed(clock.millis(), "reading ZooKeeper failed: " + e);
        }
    }

    /** One reading of the records, blocking on ZooKeeper (on the reader's thread). */
    ClusterStatus read() throws Exception {
        ClusterStatus.Builder status = ClusterStatus.builder(clock.millis());
        byte[] map = data(ClusterPaths.SHARD_MAP, null);
        if (map != null) {
            try {
                status.map(ShardMapView.parse(map));
            } catch (MalformedPayloadException e) {
                LOG.debug("Unreadable shard map: {}", e.toString());
            }
        }
        for (String id : children(ClusterPaths.MEMBERS)) {
            decode(data(ClusterPaths.member(id), null), new AppServerInfo()).ifPresent(info -> status.member(id, info));
        }
        for (String id : children(ClusterPaths.HEARTBEATS)) {
            Stat stat = new Stat();
            byte[] data = data(ClusterPaths.heartbeat(id), stat);
            if (data != null) {
                status.heartbeat(id, stat.getMtime(), decode(data, new ServerStatus()).orElse(null));
            }
        }
        children(ClusterPaths.DRAINS).forEach(status::drained);
        for (String id : children(ClusterPaths.PRESENTERS)) {
            decode(data(ClusterPaths.presenter(id), null), new PresenterStatus())
                    .ifPresent(presenter -> status.presenter(id, presenter));
        }
        return status.build();
    }

    private List<String> children(String path) throws Exception {
        try {
            return curator.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** A node's data, or null when it is gone. */
    private byte[] data(String path, Stat stat) throws Exception {
        try {
            return stat == null ? curator.getData().forPath(path) : curator.getData().storingStatIn(stat).forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    private static <T extends org.apache.thrift.TBase<?, ?>> Optional<T> decode(byte[] data, T into) {
        if (data == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ThriftCodec.INTERNAL.decode(data, into));
        } catch (MalformedPayloadException e) {
            LOG.debug("Unreadable record {}: {}", into.getClass().getSimpleName(), e.toString());
            return Optional.empty();
        }
    }

    /** Stops reading. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        executor.shutdownNow();
    }
}
