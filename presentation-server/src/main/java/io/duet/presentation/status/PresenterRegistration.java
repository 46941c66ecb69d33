package io.duet.presentation.status;

import io.duet.protocol.cluster.ClusterPaths;
import io.duet.protocol.cluster.PresenterStatus;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This presentation server's record in ZooKeeper, for the status pages of every server: an ephemeral
 * node under {@link ClusterPaths#PRESENTERS} holding its {@link PresenterStatus}.
 *
 * <p>Writes are few: every {@link #TICK} it takes its status and writes it only when it changed, at once
 * when its readiness or drain phase changed, and other changes (its session count) at most every {@code
 * publishInterval}. After
 * a new ZooKeeper session it writes again (the old session's node died with it).
 */
public final class PresenterRegistration implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PresenterRegistration.class);
    /** How often the status is looked at; ZooKeeper is written only on a change. */
    static final Duration TICK = Duration.ofSeconds(1);
    /** The {@code status.publish-interval} default: the most often a changing session count is written. */
    public static final Duration DEFAULT_PUBLISH_INTERVAL = Duration.ofSeconds(5);

    private enum State { NEW, RUNNING, CLOSED }

    private final CuratorFramework curator;
    private final String path;
    private final Supplier<PresenterStatus> status;
    private final long publishNanos;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final ConnectionStateListener reconnections = this::connectionChanged;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "duet-presenter-status");
        thread.setDaemon(true);
        return thread;
    });
    /** The status last written; touched only on the executor's thread (after start). */
    private PresenterStatus written;
    private long writtenAtNanos;
    private volatile boolean rewrite;

    /**
     * @param status what to write; called on the registration's thread, must be quick (it fills in {@code
     *     updatedAtMillis} itself)
     */
    public PresenterRegistration(CuratorFramework curator, String instanceId, Supplier<PresenterStatus> status,
            Duration publishInterval) {
        this.curator = Objects.requireNonNull(curator, "curator");
        this.path = ClusterPaths.presenter(instanceId);
        this.status = Objects.requireNonNull(status, "status");
        if (publishInterval.compareTo(TICK) < 0) {
            throw new IllegalArgumentException("publishInterval: " + publishInterval + " (expected: >= " + TICK + ")");
        }
        this.publishNanos = publishInterval.toNanos();
    }

    /** Creates the node (blocking, at start-up) and starts keeping it current. */
    public void start() throws Exception {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("start() may be called once; state is " + state.get());
        }
        PresenterStatus first = status.get();
        byte[] data = encode(first);
        try {
            curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
        } catch (KeeperException.NodeExistsException e) {
            curator.setData().forPath(path, data);
        }
        written = first;
        writtenAtNanos = System.nanoTime();
        curator.getConnectionStateListenable().addListener(reconnections);
        executor.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void connectionChanged(CuratorFramework client, ConnectionState newState) {
        if (newState == ConnectionState.RECONNECTED) {
            rewrite = true;
        }
    }

    private void tick() {
        PresenterStatus now;
        try {
            now = status.get();
        } catch (RuntimeException e) {
            LOG.warn("No presenter status to publish: {}", e.toString());
            return;
        }
        long nanos = System.nanoTime();
        if (!rewrite && !shouldWrite(written, now, nanos - writtenAtNanos, publishNanos)) {
            return;
        }
        rewrite = false;
        written = now;
        writtenAtNanos = nanos;
        byte[] data = encode(now);
        try {
            curator.setData().inBackground((client, event) -> written(event, data)).forPath(path, data);
        } catch (Exception e) {
            LOG.debug("Presenter status not written: {}", e.toString());
            rewrite = true;
        }
    }

    /** A write done: when the node was gone (a new ZooKeeper session), makes it again. */
    private void written(CuratorEvent event, byte[] data) throws Exception {
        KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
        if (code == KeeperException.Code.NONODE && state.get() == State.RUNNING) {
            curator.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).inBackground((client, created) -> {
                if (created.getResultCode() != KeeperException.Code.OK.intValue()) {
                    rewrite = true;
                }
            }).forPath(path, data);
        } else if (code != KeeperException.Code.OK) {
            rewrite = true;
        }
    }

    /**
     * Whether {@code now} is worth a write after {@code last}, written {@code sinceNanos} ago: a change of
     * readiness, drain phase or admin port at once; any other change (the session count, the wording of
     * why it is not ready, which may count down) once {@code intervalNanos} have passed.
     */
    static boolean shouldWrite(PresenterStatus last, PresenterStatus now, long sinceNanos, long intervalNanos) {
        if (last == null) {
            return true;
        }
        if (last.isReady() != now.isReady() || !Objects.equals(last.getDrainPhase(), now.getDrainPhase())
                || !Objects.equals(last.getAdminEndpoint(), now.getAdminEndpoint())) {
            return true;
        }
        boolean changed = last.getSessions() != now.getSessions()
                || !Objects.equals(last.getNotReadyReason(), now.getNotReadyReason());
        return changed && sinceNanos >= intervalNanos;
    }

    private static byte[] encode(PresenterStatus status) {
        return ThriftCodec.INTERNAL.encode(status.deepCopy().setUpdatedAtMillis(System.currentTimeMillis()));
    }

    /** Stops writing and deletes the node, so that status pages drop this server at once. Idempotent. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        executor.shutdownNow();
        if (previous == State.RUNNING) {
            curator.getConnectionStateListenable().removeListener(reconnections);
            try {
                curator.delete().quietly().forPath(path);
            } catch (Exception e) {
                LOG.debug("Presenter node not deleted: {}", e.toString());
            }
        }
    }
}
