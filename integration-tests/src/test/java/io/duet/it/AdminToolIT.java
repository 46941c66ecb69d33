package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.admin.DuetAdmin;
import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.cluster.Shards;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bin/duet-admin}, run in-process against a private local cluster: what it shows matches the
 * cluster, a drain empties a server while chat goes on, a move swaps a shard, and an unreachable
 * ZooKeeper is reported with exit status 2. Every test leaves the cluster undrained, but the last: the
 * operators' status page in a browser (it was StatusPageIT; it shares this cluster, a cluster start less),
 * which drains a presentation server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminToolIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster();

    /** The outcome of one {@code duet-admin} command. */
    private static final class Run {
        final int status;
        final String out;
        final String err;

        Run(int status, String out, String err) {
            this.status = status;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private static Run admin(String... command) {
        LocalCluster cluster = CLUSTER.get();
        List<String> args = new ArrayList<>(List.of("--zookeeper", cluster.zookeeperConnect(),
                "--cluster", cluster.clusterName(), "--hbase-zookeeper", cluster.hbaseZookeeperConnect(),
                "--hbase-namespace", cluster.hbaseNamespace()));
        args.addAll(List.of(command));
        return adminWith(args.toArray(new String[0]));
    }

    private static Run adminWith(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DuetAdmin.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String instanceId(Node node) {
        return node.readyInfo().get("instance.id");
    }

    private static Node other(Node node) {
        return CLUSTER.get().applicationServers().stream().filter(n -> !n.name().equals(node.name())).findFirst()
                .orElseThrow();
    }

    private static ShardMapView shardMap() throws Exception {
        return CLUSTER.get().shardMap().orElseThrow();
    }

    private static Map<String, Integer> loads(ShardMapView map) {
        Map<String, Integer> loads = new TreeMap<>();
        map.servers().keySet().forEach(id -> loads.put(id, 0));
        for (int shard = 0; shard < map.shardCount(); shard++) {
            map.ownerIdOf(shard).ifPresent(owner -> loads.merge(owner, 1, Integer::sum));
        }
        return loads;
    }

    /** The owner {@code duet-admin owner} prints on the line for {@code what} ("couple 42"). */
    private static String printedOwner(Run run, String what) {
        Matcher owner = Pattern.compile("(?m)^" + Pattern.quote(what) + ": shard \\d+, owner (\\S+) \\(epoch \\d+\\), "
                + "relay 127\\.0\\.0\\.1:\\d+$").matcher(run.out);
        assertThat(owner.find()).as("a line for %s in:%n%s", what, run).isTrue();
        return owner.group(1);
    }

    /** Sends {@code count} messages from ann and waits until bob has heard all of them. */
    private static void chat(DuetClient ann, RecordingListener bobHears, int count) throws Exception {
        int heard = bobHears.messages.size();
        List<CompletableFuture<?>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sends.add(ann.send("admin test " + i));
        }
        CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        bobHears.awaitMessages(heard + count, WAIT);
    }

    @Test
    void showsTheShardMapAndWhoOwnsCouplesAndUsers() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        long coupleId = couple.ann.getCoupleId();
        String owner = instanceId(CLUSTER.get().applicationServerOwning(coupleId));

        Run ownerOfCouple = admin("owner", "couple", Long.toString(coupleId));
        assertThat(ownerOfCouple.status).as(ownerOfCouple.toString()).isZero();
        assertThat(printedOwner(ownerOfCouple, "couple " + coupleId)).isEqualTo(owner);

        long annId = couple.ann.getUserId();
        Run ownerOfUser = admin("owner", "user", Long.toString(annId));
        assertThat(ownerOfUser.status).as(ownerOfUser.toString()).isZero();
        ShardMapView map = shardMap();
        assertThat(printedOwner(ownerOfUser, "user " + annId)).isEqualTo(map.ownerIdOf(map.shardOf(annId)).orElseThrow());
        assertThat(printedOwner(ownerOfUser, "couple " + coupleId + " of user " + annId)).isEqualTo(owner);

        Run unknownUser = admin("owner", "user", "12345");
        assertThat(unknownUser.status).as(unknownUser.toString()).isEqualTo(3);
        assertThat(unknownUser.err).contains("unknown user 12345");

        // Once the couple is loaded (a message loads it), its owner's heartbeat reports it.
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            chat(ann, bobHears, 1);
        }
        int shard = map.shardOf(coupleId);
        Pattern row = Pattern.compile("(?m)^\\s*" + shard + "  " + Pattern.quote(owner) + " +\\d+ +([1-9]\\d*)$");
        RecordingListener.await(Duration.ofSeconds(10), "shard " + shard + " to show a loaded couple",
                () -> row.matcher(admin("shards").out).find());

        Run shards = admin("shards");
        assertThat(shards.status).as(shards.toString()).isZero();
        assertThat(shards.out).contains("Cluster '" + CLUSTER.get().clusterName() + "': shard map epoch ")
                .contains("SHARD  OWNER").contains("SUSPECTED");
        assertThat(shards.out.lines().filter(line -> line.matches("\\s*\\d+  app-\\d@\\S+ +\\d+ +[\\d?]+"))).hasSize(
                CLUSTER.get().shards());
        for (Node server : CLUSTER.get().applicationServers()) {
            assertThat(shards.out).containsPattern("(?m)^" + Pattern.quote(instanceId(server)) + " +32 +\\d+ +no +\\d+ ms +no$");
        }

        Run servers = admin("servers");
        assertThat(servers.status).as(servers.toString()).isZero();
        for (Node server : CLUSTER.get().applicationServers()) {
            assertThat(servers.out).containsPattern("(?m)^" + Pattern.quote(instanceId(server)) + " +127\\.0\\.0\\.1:\\d+ .* live");
        }
        assertThat(servers.out).contains(", leader");
    }

    @Test
    void aDrainedServerOwnsNoShardWhileChatGoesOnAndGetsThemBackWhenUndrained() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        long coupleId = couple.ann.getCoupleId();
        Node owner = CLUSTER.get().applicationServerOwning(coupleId);
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            chat(ann, bobHears, 5);
            try {
                drainAndUndrain(owner, coupleId, ann, bobHears);
            } finally {
                admin("undrain", owner.name()); // Whatever failed, leave the cluster undrained.
            }
        }
    }

    private static void drainAndUndrain(Node owner, long coupleId, DuetClient ann, RecordingListener bobHears)
            throws Exception {
        Run drain = admin("drain", owner.name());
        assertThat(drain.status).as(drain.toString()).isZero();
        assertThat(drain.out).contains("Drain of " + owner.name() + " requested.")
                .contains(owner.name() + " owns no shards");
        ShardMapView drained = shardMap();
        assertThat(drained.servers()).as("a drained server stays a member").containsKey(instanceId(owner));
        assertThat(loads(drained)).containsEntry(instanceId(owner), 0)
                .containsEntry(instanceId(other(owner)), CLUSTER.get().shards());
        assertThat(CLUSTER.get().applicationServerOwning(coupleId).name()).isEqualTo(other(owner).name());
        chat(ann, bobHears, 20);

        Run shards = admin("shards");
        assertThat(shards.out).containsPattern("(?m)^" + Pattern.quote(instanceId(owner)) + " +0 +\\d+ +yes ");
        Run again = admin("drain", owner.name());
        assertThat(again.status).as(again.toString()).isZero();
        assertThat(again.out).contains(owner.name() + " is drained already.");
        Run lastOne = admin("drain", other(owner).name(), "--no-wait");
        assertThat(lastOne.status).as(lastOne.toString()).isEqualTo(3);
        assertThat(lastOne.err).contains("refusing to drain " + other(owner).name());

        Run undrain = admin("undrain", instanceId(owner));
        assertThat(undrain.status).as(undrain.toString()).isZero();
        assertThat(undrain.out).contains("Drain of " + owner.name() + " lifted.");
        assertThat(loads(shardMap())).containsEntry(instanceId(owner), CLUSTER.get().shards() / 2)
                .containsEntry(instanceId(other(owner)), CLUSTER.get().shards() / 2);
        chat(ann, bobHears, 20);

        Run notDrained = admin("undrain", owner.name());
        assertThat(notDrained.status).as(notDrained.toString()).isEqualTo(3);
        assertThat(notDrained.err).contains(owner.name() + " is not drained");
    }

    @Test
    void aMovedShardSwapsWithOneOfItsNewOwnersShards() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        long coupleId = couple.ann.getCoupleId();
        Node from = CLUSTER.get().applicationServerOwning(coupleId);
        Node to = other(from);
        ShardMapView before = shardMap();
        int shard = before.shardOf(coupleId);

        Run move = admin("move", Integer.toString(shard), to.name());
        assertThat(move.status).as(move.toString()).isZero();
        assertThat(move.out).contains("shard " + shard + " moved from " + instanceId(from) + " to " + instanceId(to))
                .contains("in exchange");
        ShardMapView after = shardMap();
        assertThat(CLUSTER.get().applicationServerOwning(coupleId).name()).isEqualTo(to.name());
        assertThat(after.epochOf(shard)).isEqualTo(after.epoch());
        assertThat(loads(after)).isEqualTo(loads(before));
        assertThat(printedOwner(admin("owner", "couple", Long.toString(coupleId)), "couple " + coupleId))
                .isEqualTo(instanceId(to));

        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            chat(ann, bobHears, 5);
        }

        Run already = admin("move", Integer.toString(shard), to.name());
        assertThat(already.status).as(already.toString()).isZero();
        assertThat(already.out).contains("is on " + instanceId(to) + " already");
        Run unknownShard = admin("move", Integer.toString(CLUSTER.get().shards()), to.name());
        assertThat(unknownShard.status).as(unknownShard.toString()).isEqualTo(3);
        assertThat(unknownShard.err).contains("unknown shard " + CLUSTER.get().shards());
        Run unknownServer = admin("move", "0", "app-9");
        assertThat(unknownServer.status).as(unknownServer.toString()).isEqualTo(3);
        assertThat(unknownServer.err).contains("unknown server 'app-9'");
    }

    @Test
    void anUnreachableZooKeeperExitsWithStatus2() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        long started = System.nanoTime();
        Run run = adminWith("--zookeeper", "127.0.0.1:" + port, "--timeout", "2s", "shards");
        assertThat(run.status).as(run.toString()).isEqualTo(2);
        assertThat(run.err).contains("cannot reach ZooKeeper at 127.0.0.1:" + port + " within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anUnknownClusterIsNamedWithTheOnesThere() {
        Run run = adminWith("--zookeeper", CLUSTER.get().zookeeperConnect(), "--cluster", "nosuch", "shards");
        assertThat(run.status).as(run.toString()).isEqualTo(3);
        assertThat(run.err).contains("no cluster 'nosuch'").contains(CLUSTER.get().clusterName());
    }

    /**
     * The operators' status page ({@code GET /status} on the admin port) in a real browser, headless
     * Chromium: it lists every application server with its shards, every shard with its owner (a live
     * application server), the epoch the owner got it at and the couples it has loaded, and every presentation
     * server with its connected clients and drain state; and it keeps itself current without reloading:
     * clients that connect (their couple loaded on its shard's owner) and a drain that starts show up on the
     * open page. Its screenshot is left at {@code target/status-page.png} (.ci/run keeps a copy in
     * {@code $DUET_CI_ARTIFACTS}, by default {@code /tmp/duet-ci-artifacts}). Last: it leaves presentation-2
     * draining.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void theStatusPageShowsTheWholeClusterAndFollowsItWithoutReloading() throws Exception {
        assertThat(HeadlessChromium.missing()).as("browser").isEmpty();
        LocalCluster cluster = CLUSTER.get();
        Node first = cluster.presentationServers().get(0);
        Node second = cluster.presentationServers().get(1);
        Path target = Path.of("target");
        Files.createDirectories(target);
        try (HeadlessChromium browser = HeadlessChromium.start(1400, 1000, target.resolve("chromedriver.log"))) {
            browser.open(AdminPort.of(first).resolve("/status"));
            // No session either: the other tests' clients are closed, and their sessions leave the page within a
            // presentation server's status.publish-interval (5 s).
            StatusPage.Page page = StatusPage.await(browser, "every server and every shard, and no session", shown -> {
                boolean allServers = cluster.applicationServers().stream().allMatch(app -> shown.lists(app.name(), shown.shards()))
                        && cluster.presentationServers().stream().allMatch(p -> shown.lists(p.name(), shown.presenters()));
                return allServers && shown.shards().values().stream().mapToInt(Integer::intValue).sum() == cluster.shards()
                        && shown.totalSessions() == 0;
            });
            assertThat(page.shards()).as("application servers listed").hasSize(cluster.applicationServers().size());
            assertThat(page.shards().values()).as("each owns some shards").allMatch(count -> count > 0);
            assertThat(page.presenters()).as("presentation servers listed").hasSize(2);
            assertThat(page.presenter(first.name())).endsWith("not draining");
            // Every shard, owned by one of the application servers listed, at an epoch of the map.
            assertThat(page.shardTable().keySet()).as("shards listed")
                    .isEqualTo(IntStream.range(0, cluster.shards()).boxed().collect(Collectors.toSet()));
            assertThat(page.shardTable().values()).as("owners are the application servers listed")
                    .allMatch(row -> page.shards().containsKey(row.owner()) && row.epoch() > 0);
            for (String app : page.shards().keySet()) {
                assertThat(page.shardTable().values().stream().filter(row -> row.owner().equals(app)).count())
                        .as("shards of %s in the table", app).isEqualTo(page.shards().get(app).longValue());
            }

            browser.run("window.duetMarker = 'kept'; return '';");
            int before = page.totalSessions();
            TestCouple couple = TestCouple.pair(cluster);
            try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                    DuetClient bob = couple.connect(couple.bob, 1, new RecordingListener(), 0)) {
                int shard = Shards.shardOf(couple.ann.getCoupleId(), cluster.shards());
                StatusPage.Page connected = StatusPage.await(browser,
                        "two more sessions and the couple loaded on shard " + shard,
                        shown -> shown.totalSessions() >= before + 2 && shown.shardTable().containsKey(shard)
                                && shown.shardTable().get(shard).couples() >= 1);
                assertThat(connected.shards()).as("its owner is listed").containsKey(
                        connected.shardTable().get(shard).owner());
                assertThat(connected.marker()).as("the same page, refreshed in place").isEqualTo("kept");
                assertThat(connected.presenter(first.name())).as("ann's server").doesNotStartWith("0 ");
                assertThat(connected.presenter(second.name())).as("bob's server").doesNotStartWith("0 ");

                assertThat(AdminPort.send(AdminPort.of(second), "/drain", "POST").status()).isIn(200, 202);
                StatusPage.Page drained = StatusPage.await(browser, second.name() + " draining",
                        shown -> shown.presenter(second.name()).matches("\\d+ drain(ing|ed)"));
                assertThat(drained.marker()).isEqualTo("kept");
                assertThat(drained.presenter(first.name())).endsWith("not draining");
                Path screenshot = target.resolve("status-page.png");
                browser.screenshot(screenshot);
                StatusPage.assertPng(Files.readAllBytes(screenshot));
            }
        }
        // An application server's page shows the same cluster, from the same records (read once someone looks).
        URI app = AdminPort.of(cluster.applicationServers().get(0));
        AdminPort.Answer json = AdminPort.get(app, "/status.json");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!json.body().contains("\"id\":\"" + second.name() + "@") && System.nanoTime() < deadline) {
            Thread.sleep(250);
            json = AdminPort.get(app, "/status.json");
        }
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.body()).contains("\"id\":\"" + first.name() + "@", "\"id\":\"" + second.name() + "@",
                "\"shardCount\":" + cluster.shards(), "\"role\":\"application server\"",
                "\"shards\":[{\"shard\":0,\"owner\":\"app-");
        assertThat(AdminPort.get(app, "/status").body()).contains("<h2>Presentation servers</h2>", "<h2>Shards</h2>",
                "role</th><td class=\"v\">application server");
    }
}
