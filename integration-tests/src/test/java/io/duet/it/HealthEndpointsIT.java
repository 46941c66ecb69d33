package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.FaultLink;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin port of every server of a running cluster: {@code /live} and {@code /ready} while it serves,
 * the documented meters on {@code /metrics}, {@code /ready} at 503 while an application or a presentation
 * server is cut off from ZooKeeper, and from the moment a SIGTERM'd one begins to stop until it exits.
 * Last, an application server told to stop after ZooKeeper went away (it was ShutdownWithoutZooKeeperIT; it
 * shares this cluster, a cluster start less).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HealthEndpointsIT {
    private static final Duration HANDOFF_TIMEOUT = Duration.ofSeconds(2);
    /** The handoff timeout, at most 2 s for closing the ZooKeeper parts, and the rest of a busy box's exit. */
    private static final Duration EXIT_BOUND = HANDOFF_TIMEOUT.plusSeconds(6);

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withZookeeperFaultLinks()
            .withServerSetting("shutdown.handoff-timeout", HANDOFF_TIMEOUT.toMillis() + "ms");

    private static List<Node> servers() {
        LocalCluster cluster = CLUSTER.get();
        return Stream.concat(cluster.applicationServers().stream(), cluster.presentationServers().stream()).toList();
    }

    @Test
    @Order(1)
    void everyServerIsLiveAndReadyAndAnswersOnlyItsThreeGets() throws Exception {
        for (Node server : servers()) {
            URI admin = AdminPort.of(server);
            assertThat(AdminPort.get(admin, "/live")).as("%s /live", server).hasToString("200 live");
            assertThat(AdminPort.get(admin, "/ready")).as("%s /ready", server).hasToString("200 ready");
            assertThat(AdminPort.get(admin, "/health").status()).as("%s /health", server).isEqualTo(404);
            assertThat(AdminPort.send(admin, "/ready", "POST").status()).as("%s POST /ready", server).isEqualTo(405);
        }
    }

    @Test
    @Order(2)
    void metricsHaveTheDocumentedNamesAndCountWhatHappens() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                sends.add(ann.send("message " + i));
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            RecordingListener.await(Duration.ofSeconds(30), "bob gets ann's 5 messages",
                    () -> bobHears.messages.size() >= 5);

            double committed = 0;
            double couplesLoaded = 0;
            for (Node app : cluster.applicationServers()) {
                String metrics = AdminPort.scrape(app);
                for (String name : List.of("duet_catchup_missing_ranges_total", "duet_catchup_missing_messages_total",
                        "duet_catchup_reads_in_flight", "duet_catchup_reads_waiting", "duet_catchup_reads_waited_total",
                        "duet_messages_committed_total", "duet_couples_loaded", "duet_heartbeat_lease_lapses_total",
                        "duet_heartbeat_renewals_held_back_total",
                        "duet_relay_links_open", "duet_relay_streams_open", "jvm_memory_used_bytes",
                        "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total", "process_uptime_seconds")) {
                    assertThat(AdminPort.sample(metrics, name)).as("%s %s", app, name).isPresent();
                }
                assertThat(AdminPort.sample(metrics, "duet_relay_links_open").getAsDouble())
                        .as("%s: links from both presentation servers", app).isGreaterThanOrEqualTo(2);
                committed += AdminPort.sample(metrics, "duet_messages_committed_total").getAsDouble();
                couplesLoaded += AdminPort.sample(metrics, "duet_couples_loaded").getAsDouble();
            }
            assertThat(committed).as("messages committed, all servers").isGreaterThanOrEqualTo(5);
            latencyHistogramsCountTheCalls(cluster);
            assertThat(couplesLoaded).as("couples loaded, all servers").isGreaterThanOrEqualTo(1);

            String first = AdminPort.scrape(cluster.presentationServers().get(0));
            assertThat(AdminPort.sample(first, "duet_client_sessions").orElse(-1)).as("ann's session")
                    .isGreaterThanOrEqualTo(1);
            assertThat(AdminPort.sample(first, "duet_relay_links_open").orElse(-1)).as("links to both servers")
                    .isGreaterThanOrEqualTo(2);
            assertThat(AdminPort.sample(first, "jvm_memory_used_bytes")).isPresent();
        }
    }

    /**
     * The histograms of the calls just made: per method on the application servers, relay round trips on
     * the presentation servers, and HBase calls; with buckets, and counts of at least the five sends.
     */
    private static void latencyHistogramsCountTheCalls(LocalCluster cluster) throws Exception {
        double served = 0;
        double commits = 0;
        double batches = 0;
        double shardsOwned = 0;
        for (Node app : cluster.applicationServers()) {
            String metrics = AdminPort.scrape(app);
            served += AdminPort.sample(metrics, "duet_rpc_server_seconds_count", "service=\"chat\"",
                    "method=\"sendMessage\"", "outcome=\"ok\"").orElse(0);
            assertThat(AdminPort.sample(metrics, "duet_rpc_server_seconds_bucket", "method=\"sendMessage\"",
                    "le=\"0.01\"")).as("%s: sendMessage's 10 ms bucket", app).isPresent();
            commits += AdminPort.sample(metrics, "duet_hbase_calls_seconds_count", "op=\"commit\"",
                    "outcome=\"ok\"").orElse(0);
            assertThat(AdminPort.sample(metrics, "duet_hbase_calls_seconds_bucket", "op=\"commit\""))
                    .as("%s: HBase commit buckets", app).isPresent();
            batches += AdminPort.sample(metrics, "duet_commit_batch_messages_sum").orElse(0);
            shardsOwned += AdminPort.sample(metrics, "duet_shards_owned").orElse(0);
            assertThat(metrics).as("%s: Netty's allocator", app).contains("\nnetty_allocator_memory_used");
        }
        assertThat(served).as("sendMessage calls served ok, all servers").isGreaterThanOrEqualTo(5);
        assertThat(commits).as("HBase commits ok, all servers").isGreaterThanOrEqualTo(1);
        assertThat(batches).as("messages in group commits, all servers").isGreaterThanOrEqualTo(5);
        assertThat(shardsOwned).as("shards owned, all servers").isGreaterThanOrEqualTo(1);
        double relayed = 0;
        double streams = 0;
        for (Node presentation : cluster.presentationServers()) {
            String metrics = AdminPort.scrape(presentation);
            relayed += AdminPort.sample(metrics, "duet_relay_call_seconds_count", "service=\"chat\"",
                    "method=\"sendMessage\"").orElse(0);
            assertThat(AdminPort.sample(metrics, "duet_relay_call_seconds_bucket", "le=\"0.01\""))
                    .as("%s: relay round-trip buckets", presentation).isPresent();
            streams += AdminPort.sample(metrics, "duet_relay_streams_open").orElse(0);
            assertThat(metrics).as("%s: Netty's allocator", presentation).contains("\nnetty_allocator_memory_used");
        }
        assertThat(relayed).as("sendMessage round trips relayed, all presentation servers").isGreaterThanOrEqualTo(5);
        assertThat(streams).as("ann's session stream").isGreaterThanOrEqualTo(1);
        eventFanOutLagCountsTheEventsToBob(cluster);
    }

    /** The fan-out lag of both tiers: ann's five messages, pushed to bob's session and written to his socket. */
    private static void eventFanOutLagCountsTheEventsToBob(LocalCluster cluster) throws Exception {
        double pushed = 0;
        for (Node app : cluster.applicationServers()) {
            String metrics = AdminPort.scrape(app);
            pushed += AdminPort.sample(metrics, "duet_event_fanout_lag_seconds_count", "stage=\"committed-to-relay\"")
                    .orElse(0);
            assertThat(AdminPort.sample(metrics, "duet_event_fanout_lag_seconds_bucket", "stage=\"committed-to-relay\"",
                    "le=\"0.01\"")).as("%s: fan-out lag buckets", app).isPresent();
        }
        assertThat(pushed).as("events handed to relay streams, all application servers").isGreaterThanOrEqualTo(5);
        double written = 0;
        for (Node presentation : cluster.presentationServers()) {
            String metrics = AdminPort.scrape(presentation);
            written += AdminPort.sample(metrics, "duet_event_fanout_lag_seconds_count", "stage=\"relay-to-client\"")
                    .orElse(0);
            assertThat(AdminPort.sample(metrics, "duet_event_fanout_lag_seconds_bucket", "stage=\"relay-to-client\"",
                    "le=\"0.01\"")).as("%s: fan-out lag buckets", presentation).isPresent();
        }
        assertThat(written).as("events written to clients, all presentation servers").isGreaterThanOrEqualTo(5);
    }

    @Test
    @Order(3)
    void anApplicationServerCutOffFromZooKeeperIsNotReadyUntilItIsBack() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node app = cluster.applicationServers().get(0);
        URI admin = AdminPort.of(app);
        FaultLink link = cluster.zookeeperLink(app);
        AtomicReference<AdminPort.Answer> last = new AtomicReference<>();
        link.pause();
        try {
            // The heartbeat lease (cluster.crash-suspect-timeout, 0.5 s) runs out first; SUSPENDED comes later.
            awaitReady(admin, last, false, Duration.ofSeconds(10));
            assertThat(last.get().body()).as("the reason").containsAnyOf("heartbeat lease", "ZooKeeper");
            assertThat(AdminPort.get(admin, "/live")).as("live all the same").hasToString("200 live");
        } finally {
            link.resume();
        }
        awaitReady(admin, last, true, Duration.ofSeconds(30));
        cluster.awaitShardMapSettled();
    }

    @Test
    @Order(4)
    void aPresentationServerCutOffFromZooKeeperIsNotReadyUntilItIsBack() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        Node presentation = cluster.presentationServers().get(0);
        URI admin = AdminPort.of(presentation);
        FaultLink link = cluster.zookeeperLink(presentation);
        AtomicReference<AdminPort.Answer> last = new AtomicReference<>();
        awaitReady(admin, last, true, Duration.ofSeconds(10));
        link.pause();
        try {
            // Curator says SUSPENDED once the ZooKeeper client hears nothing for 2/3 of its session timeout.
            awaitReady(admin, last, false, Duration.ofSeconds(30));
            assertThat(last.get().body()).as("the reason").contains("ZooKeeper");
            assertThat(AdminPort.get(admin, "/live")).as("live all the same").hasToString("200 live");
        } finally {
            link.resume();
        }
        awaitReady(admin, last, true, Duration.ofSeconds(30));
    }

    @Test
    @Order(5)
    void aStoppingApplicationServerIsNotReadyBeforeItExits() throws Exception {
        Node app = CLUSTER.get().applicationServers().get(1);
        URI admin = AdminPort.of(app);
        assertThat(AdminPort.get(admin, "/ready").status()).isEqualTo(200);
        List<AdminPort.Answer> seen = new CopyOnWriteArrayList<>();
        Thread prober = new Thread(() -> {
            try {
                while (true) {
                    seen.add(AdminPort.get(admin, "/ready"));
                    Thread.sleep(10);
                }
            } catch (IOException | InterruptedException e) {
                // The admin port closed: the process is exiting.
            }
        }, "ready-prober");
        prober.start();
        Thread.sleep(100);
        app.stop();
        prober.join(10_000);
        assertThat(prober.isAlive()).as("the admin port closed with the process").isFalse();

        List<AdminPort.Answer> afterReady = seen.stream().dropWhile(answer -> answer.status() == 200).toList();
        assertThat(afterReady).as("answers from SIGTERM on, of %s", seen).isNotEmpty()
                .allSatisfy(answer -> assertThat(answer.status()).isEqualTo(503));
        assertThat(afterReady.get(0).body()).contains("stopping");
    }

    /**
     * An application server told to stop (SIGTERM) after its cluster's ZooKeeper went away cannot hand its
     * shards over: it gives the handoff up after {@code shutdown.handoff-timeout}, unloads its couples and
     * exits, instead of spending tens of seconds in ZooKeeper client retries.
     */
    @Test
    @Order(6)
    void aServerThatLostZooKeeperExitsWithinItsHandoffTimeout() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        cluster.awaitShardMapSettled();
        TestCouple couple = TestCouple.pair(cluster);
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            ann.send("loads the couple on its owner").get(30, TimeUnit.SECONDS);
        }
        Node owner = cluster.applicationServerOwning(couple.ann.getCoupleId());

        cluster.zookeeper().stop();
        long start = System.nanoTime();
        try {
            owner.stop();
        } finally {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("  SHUTDOWN without ZooKeeper: " + owner.name() + " exited in " + took.toMillis() + " ms");
            cluster.zookeeper().start();
            assertThat(took).as("exit after SIGTERM without ZooKeeper").isLessThan(EXIT_BOUND);
        }
        String log = Files.readString(owner.logFile(), StandardCharsets.UTF_8);
        assertThat(log).contains("Could not hand the shards over").containsPattern("Application server \\S+ stopped");
    }

    /** Polls {@code /ready} until it is 200 ({@code ready}) or not; the last answer in {@code last}. */
    private static void awaitReady(URI admin, AtomicReference<AdminPort.Answer> last, boolean ready, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                last.set(AdminPort.get(admin, "/ready"));
                if ((last.get().status() == 200) == ready) {
                    return;
                }
            } catch (IOException e) {
                last.set(new AdminPort.Answer(-1, e.toString()));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + (ready ? "ready" : "unready") + " within " + timeout.toSeconds()
                        + " s at " + admin + "; last answer: " + last.get());
            }
            Thread.sleep(50);
        }
    }
}
