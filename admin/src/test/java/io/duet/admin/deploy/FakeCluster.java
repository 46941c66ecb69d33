package io.duet.admin.deploy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.duet.admin.ClusterState;
import io.duet.admin.TestClusterStates;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.thrift.MalformedPayloadException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake process layer for {@link RollingDeploy}: servers that are processes only in name (a pid, up or
 * down), each answering {@code /ready}, {@code /live} and {@code /drain} on a real HTTP port of
 * 127.0.0.1, a restart command that stops the old process and starts a new one, and the ZooKeeper records
 * the application servers would write (each live instance a member, the shards spread over them at once;
 * optionally an old instance that stays in the map a while, handing its shards over, and may die there).
 * Tests kill a process ({@link Server#kill()}; or close its admin port first, {@link Server#portClosedLooks})
 * or make its restart fail, at any step.
 */
final class FakeCluster implements ClusterRecords, RestartCommand.Runner, AutoCloseable {
    static final int SHARDS = 8;
    private final AtomicLong pids = new AtomicLong(1000);
    private final Map<String, Server> servers = new TreeMap<>();
    private final List<DeployNode> nodes = new ArrayList<>();
    private long epoch;
    private List<String> owners = List.of();

    /** One server: its process, what its admin port answers, and the faults a test gives it. */
    final class Server {
        final String name;
        final DeployNode.Kind kind;
        private final HttpServer http;
        /** The running process; 0 while there is none. */
        volatile long pid;
        /** How many more GET /ready answer 503 "starting" before the process is ready. */
        volatile int startingPolls;
        /** How many more GET /ready get no answer at all while the process runs (too busy to answer in time). */
        volatile int unansweredReadies;
        volatile boolean draining;
        /** How many more GET /drain answer 503 before the drain is over. */
        volatile int drainPolls = 3;
        /** The restart command exits with status 1 and leaves the process as it was. */
        volatile boolean restartFails;
        /** The restart stops the old process and the new one dies at start. */
        volatile boolean crashesOnStart;
        volatile int restarts;
        /**
         * How many reads of the records an application server's old instance, once restarted, stays in the
         * shard map handing its shards over (not a member any more, still heartbeating); 0: it is gone at once.
         */
        volatile int handoffReads;
        /** The old instance stops heartbeating during its handoff: it died (kill -9, a crash) mid-way. */
        volatile boolean diesDuringHandoff;
        /** Its old instance's heartbeat lags past the failure timeout while its process still runs, handing over. */
        volatile boolean heartbeatLagsDuringHandoff;
        /**
         * The admin port closes connections without an answer; the process is still seen for this many more
         * looks of the locator, then it is gone (a killed process not reaped yet); 0: no such fault.
         */
        volatile int portClosedLooks;
        /** The old instance handing its shards over, or 0; and how many more reads it stays. */
        private long leavingPid;
        private int leavingReads;

        Server(String name, DeployNode.Kind kind) throws IOException {
            this.name = name;
            this.kind = kind;
            this.pid = pids.incrementAndGet();
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", this::answer);
            http.start();
        }

        URI admin() {
            return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
        }

        /** kill -9: the process is gone. */
        void kill() {
            pid = 0;
        }

        /** The running process as its locator sees it. */
        synchronized Optional<DeployNode.Instance> locate() {
            if (portClosedLooks > 0 && --portClosedLooks == 0) {
                kill();
            }
            if (heartbeatLagsDuringHandoff && leavingPid != 0) {
                return Optional.of(new DeployNode.Instance(admin(), leavingPid));
            }
            return pid == 0 ? Optional.empty() : Optional.of(new DeployNode.Instance(admin(), pid));
        }

        String instanceId() {
            return name + "@" + pid;
        }

        private void answer(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            boolean post = exchange.getRequestMethod().equals("POST");
            if (portClosedLooks > 0) {
                exchange.close(); // no status line: the client's "received no bytes"
            } else if (pid == 0) {
                respond(exchange, 503, "no process"); // a real port would refuse; the locator says it is down first
            } else if (path.equals("/live")) {
                respond(exchange, 200, "live");
            } else if (path.equals("/ready")) {
                if (unansweredReadies > 0) {
                    unansweredReadies--;
                    exchange.close();
                } else if (startingPolls > 0) {
                    startingPolls--;
                    respond(exchange, 503, "not ready: starting");
                } else {
                    respond(exchange, draining ? 503 : 200, draining ? "not ready: draining" : "ready");
                }
            } else if (path.equals("/drain") && post) {
                draining = true;
                respond(exchange, 202, "draining: 5 client sessions left");
            } else if (path.equals("/drain")) {
                if (!draining) {
                    respond(exchange, 409, "not draining");
                } else if (drainPolls-- > 0) {
                    respond(exchange, 503, "draining: " + drainPolls + " client sessions left");
                } else {
                    respond(exchange, 200, "drained: the 5 client sessions left");
                }
            } else {
                respond(exchange, 404, "no " + path);
            }
        }

        private void restart() {
            restarts++;
            if (kind == DeployNode.Kind.APPLICATION && handoffReads > 0) {
                leavingPid = pid;
                leavingReads = handoffReads;
            }
            draining = false;
            drainPolls = 3;
            pid = crashesOnStart ? 0 : pids.incrementAndGet();
            startingPolls = 2;
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Adds a running, ready server; the deploy restarts them in the order added. */
    Server add(String name, DeployNode.Kind kind) throws IOException {
        Server server = new Server(name, kind);
        servers.put(name, server);
        nodes.add(new DeployNode(name, kind, "127.0.0.1", server::locate));
        return server;
    }

    Server server(String name) {
        return servers.get(name);
    }

    Inventory inventory() {
        return new Inventory(List.copyOf(nodes), "127.0.0.1:2181", "fake");
    }

    /** The restart command is "restart {name}". */
    @Override
    public RestartCommand.Result run(String command, Duration timeout) {
        Server server = servers.get(command.substring("restart ".length()));
        if (server.restartFails) {
            return new RestartCommand.Result(1, List.of("Job for duet-" + server.kind.word() + ".service failed"));
        }
        server.restart();
        return new RestartCommand.Result(0, List.of());
    }

    @Override
    public synchronized ClusterState read(Duration failureTimeout) throws Exception {
        long now = System.currentTimeMillis();
        Map<String, AppServerInfo> members = new TreeMap<>();
        Map<String, AppServerInfo> inMap = new TreeMap<>();
        Map<String, Long> leavingHeartbeats = new TreeMap<>();
        for (Server server : servers.values()) {
            if (server.kind == DeployNode.Kind.APPLICATION && server.pid != 0) {
                members.put(server.instanceId(), info(server.instanceId()));
            }
            if (server.leavingPid != 0 && server.leavingReads == 0) {
                server.leavingPid = 0; // its process ends after the last read that listed it
            } else if (server.leavingPid != 0) {
                String leaving = server.name + "@" + server.leavingPid;
                inMap.put(leaving, info(leaving));
                // Dead, or lagging: its last heartbeat is older than the failure timeout.
                boolean stale = server.diesDuringHandoff || server.heartbeatLagsDuringHandoff;
                leavingHeartbeats.put(leaving, stale ? now - failureTimeout.toMillis() - 1 : now);
                server.leavingReads--;
            }
        }
        inMap.putAll(members);
        return TestClusterStates.of("fake", map(inMap), members, now, leavingHeartbeats, failureTimeout);
    }

    private static AppServerInfo info(String instanceId) {
        return new AppServerInfo(instanceId, new Endpoint("127.0.0.1", 4100), 0);
    }

    /** The leader's map for {@code members}: the shards round-robin over them, a new epoch when they change. */
    private ShardMapView map(Map<String, AppServerInfo> members) throws MalformedPayloadException {
        List<String> ids = List.copyOf(members.keySet());
        if (!ids.equals(owners)) {
            owners = ids;
            epoch++;
        }
        List<ShardAssignment> shards = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            shards.add(new ShardAssignment(ids.isEmpty() ? "" : ids.get(shard % ids.size()), epoch));
        }
        return ShardMapView.of(new ShardMap(epoch, SHARDS, shards, members, 0, ids.isEmpty() ? "" : ids.get(0)));
    }

    @Override
    public void close() {
        servers.values().forEach(server -> server.http.stop(0));
    }
}
