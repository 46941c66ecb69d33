package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.ApplicationServer;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.pki.ClusterCa;
import io.duet.presentation.PresentationServer;
import io.duet.protocol.api.Photo;
import io.duet.protocol.api.PhotoVariant;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import io.duet.security.RelayTls;
import io.duet.settings.Settings;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import javax.imageio.ImageIO;
import reactor.blockhound.BlockHound;

/**
 * Turns "never block an event loop" into a check: BlockHound watches every Netty event loop (the
 * presentation server's, the application server's relay, both admin ports', the SDK's), every couple's
 * executor and the threads that continue after HBase replies (the relay's loops and those threads also run
 * an idle couple's work themselves: {@code SerialExecutor.inlineCapable}), while a
 * couple signs up (one partner over TCP, before authenticating), pairs and chats (and long-polls over HTTP) (a message edited and deleted) through both tiers, run in this JVM on
 * the local cluster's real ZooKeeper, HBase and S3Proxy (a photo is uploaded, listed, downloaded and
 * deleted), both servers' admin ports are probed and scraped, and the presentation server is drained
 * ({@code POST /drain}: its notices, the clients leaving). Any blocking call made on
 * those threads is recorded with its stack.
 */
class EventLoopsNeverBlockIT {
    private static final List<String> blockingCalls = new CopyOnWriteArrayList<>();
    private static LocalCluster storage;
    private static ApplicationServer app;
    private static PresentationServer presentation;

    @BeforeAll
    static void startServersUnderBlockHound() throws Exception {
        BlockHound.install(builder -> builder
                .nonBlockingThreadPredicate(current -> current.or(thread -> thread.getName().startsWith("duet-couple-")
                        || thread.getName().startsWith("duet-hbase-callback-")))
                // A pool thread waiting for its next task is idle, not blocked in one.
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask")
                // Console logging writes to a file descriptor; production configures async appenders.
                .allowBlockingCallsInside("ch.qos.logback.core.UnsynchronizedAppenderBase", "doAppend")
                .blockingMethodCallback(method -> blockingCalls.add(Thread.currentThread().getName() + " called "
                        + method + "\n" + Stream.of(new Exception().getStackTrace()).limit(40)
                                .map(frame -> "    at " + frame).collect(Collectors.joining("\n")))));

        // A ZooKeeper of its own, on the shared HBase and S3Proxy (the in-process application server stores photos).
        storage = SharedStorage.clusterBuilder("blockhound").applicationServers(0).presentationServers(0)
                .clusterName("blockhound").s3(true).build();
        storage.start();
        String zookeeper = storage.zookeeperConnect();
        Map<String, String> common = Map.of("cluster.name", "blockhound", "zookeeper.connect", zookeeper,
                "token.secret", storage.tokenSecret());
        Map<String, String> appSettings = new java.util.HashMap<>(common);
        appSettings.putAll(relayTls(storage.certificateAuthority().issue("app-in-process")));
        appSettings.putAll(Map.of("server.id", "app-in-process", "cluster.shards", "8", "relay.port", "0",
                "hbase.zookeeper.quorum", "127.0.0.1", "hbase.zookeeper.port", storage.hbaseZookeeperConnect().split(":")[1],
                "hbase.namespace", "blockhound"));
        appSettings.put("hbase.pre-split", "false"); // as the test clusters: the tables open faster
        appSettings.putAll(storage.s3Settings());
        app = new ApplicationServer(Settings.of(appSettings));
        app.start();
        Map<String, String> presentationSettings = new java.util.HashMap<>(common);
        presentationSettings.putAll(relayTls(storage.certificateAuthority().issue("presentation-in-process")));
        presentationSettings.putAll(Map.of("server.id", "presentation-in-process", "client.tcp.host", "127.0.0.1",
                "client.tcp.port", "0", "client.http.host", "127.0.0.1", "client.http.port", "0",
                "drain.window", "200ms", "drain.deadline", "2s"));
        presentation = new PresentationServer(Settings.of(presentationSettings));
        presentation.start();
    }

    /** The relay links run mutual TLS, as in production, so its handshakes run under BlockHound too. */
    private static Map<String, String> relayTls(ClusterCa.NodeCredentials node) {
        return Map.of(RelayTls.CERT, node.certificate().toString(), RelayTls.KEY, node.key().toString(),
                RelayTls.CA, node.ca().toString());
    }

    @AfterAll
    static void stopServers() throws Exception {
        if (presentation != null) {
            presentation.close();
        }
        if (app != null) {
            app.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    /** The admin port's three GETs, answered on its event loop (the scrape included) under BlockHound. */
    private static void probeAdminPort(URI admin, String metric) throws Exception {
        assertThat(AdminPort.get(admin, "/live").status()).isEqualTo(200);
        assertThat(AdminPort.get(admin, "/ready")).hasToString("200 ready");
        String metrics = AdminPort.get(admin, "/metrics").body();
        assertThat(AdminPort.sample(metrics, metric)).as("%s in %s", metric, metrics).isPresent();
        assertThat(AdminPort.sample(metrics, "jvm_threads_live_threads")).isPresent();
    }

    /** One agent check, as HAProxy makes it: connect, read the line until the server closes. */
    private static String askAgent() throws Exception {
        int port = Integer.parseInt(presentation.readyInfo().get("agent.port"));
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static boolean drained(URI admin) {
        try {
            return AdminPort.get(admin, "/drain").status() == 200;
        } catch (Exception e) {
            throw new AssertionError("GET /drain failed", e);
        }
    }

    @Test
    void noEventLoopOrCoupleExecutorBlocksWhileACoupleChatsAndTheServerDrains() throws Exception {
        URI http = URI.create("http://127.0.0.1:" + presentation.httpPort());
        DuetHttp annHttp = new DuetHttp(http, "ann-phone");
        DuetHttp bobHttp = new DuetHttp(http, "bob-phone");
        Session bob = bobHttp.signUp(TestCouple.uniqueEmail("bob"), "bob's password", "Bob");
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", presentation.tcpPort());
        // Ann signs up over her TCP connection, before AUTH: the presentation server's pre-auth account calls.
        try (DuetClient waiting = DuetClient.builder().server(tcp).signUp(new SignUpRequest(
                TestCouple.uniqueEmail("ann"), "ann's password", "Ann", "ann-phone")).listener(annHears).build()) {
            waiting.connect().get(30, TimeUnit.SECONDS);
            RecordingListener.await(Duration.ofSeconds(10), "the session got by signing up",
                    () -> !annHears.refreshed.isEmpty());
            Session ann = annHears.refreshed.get(0);
            bob = bobHttp.acceptInvite(bob.getToken(), annHttp.createInvite(ann.getToken()).getCode());
            RecordingListener.await(Duration.ofSeconds(30), "ann's session to follow the pairing",
                    () -> waiting.coupleId() != 0);
            try (DuetClient bobClient = DuetClient.builder().server(tcp).token(bob.getToken()).listener(bobHears).build()) {
                bobClient.connect().get(30, TimeUnit.SECONDS);
                bobClient.setTyping(true).get(10, TimeUnit.SECONDS);
                bobClient.registerPushToken(PushPlatform.FCM, "a-token-under-blockhound").get(10, TimeUnit.SECONDS);
                bobClient.unregisterPushToken().get(10, TimeUnit.SECONDS);
                List<CompletableFuture<?>> sends = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    sends.add((i % 2 == 0 ? waiting : bobClient).send("message " + i));
                }
                CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
                annHears.awaitMessages(200, Duration.ofSeconds(60));
                bobHears.awaitMessages(200, Duration.ofSeconds(60));
                assertThat(annHttp.fetchHistory(bob.getToken(), 0, 500).getMessages()).hasSize(200);
                // HTTP long polls: one answered at once, one parked on the couple's actor until its wait ends.
                long latest = annHttp.fetchHistory(bob.getToken(), 0, 500).getLatestSeq();
                assertThat(bobHttp.poll(bob.getToken(), latest - 1, 5000).getMessages()).hasSize(1);
                assertThat(bobHttp.poll(bob.getToken(), latest, 300).getMessages()).isEmpty();
                // An edit and a delete: a read and a rewrite of a message's cell, from the couple's executor.
                long bobsSeq = annHttp.fetchHistory(bob.getToken(), 0, 500).getMessages().stream()
                        .filter(m -> m.getText().equals("message 1")).findFirst().orElseThrow().getSeq();
                bobClient.editMessage(bobsSeq, "message 1, edited").get(30, TimeUnit.SECONDS);
                assertThat(bobClient.deleteMessage(bobsSeq).get(30, TimeUnit.SECONDS).isDeleted()).isTrue();
                RecordingListener.await(Duration.ofSeconds(30), "ann to hear both changes", () -> annHears.changes.size() == 2);
                // A photo's round trip: the relay, the couple's executor and the photo workers (which may block).
                Path photoFile = Files.createTempFile("blockhound-photo-", ".png");
                Path downloaded = Files.createTempFile("blockhound-photo-", ".jpg");
                try {
                    ImageIO.write(new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB), "png", photoFile.toFile());
                    Photo photo = bobClient.uploadPhoto(photoFile, "under BlockHound").get(60, TimeUnit.SECONDS);
                    assertThat(bobClient.listPhotos(10, null).get(10, TimeUnit.SECONDS).getPhotos()).hasSize(1);
                    bobClient.downloadPhoto(photo.getPhotoId(), PhotoVariant.THUMBNAIL, downloaded).get(30, TimeUnit.SECONDS);
                    assertThat(Files.size(downloaded)).isPositive();
                    bobClient.deletePhoto(photo.getPhotoId()).get(30, TimeUnit.SECONDS);
                } finally {
                    Files.deleteIfExists(photoFile);
                    Files.deleteIfExists(downloaded);
                }
                // The couple's profile: a nickname written under the couple's fence, read back by the partner.
                bobClient.setNickname("Annie").get(10, TimeUnit.SECONDS);
                assertThat(waiting.coupleProfile().get(10, TimeUnit.SECONDS).getMyNickname()).isEqualTo("Annie");
                probeAdminPort(URI.create("http://127.0.0.1:" + app.adminAddress().getPort()), "duet_messages_committed_total");
                URI presentationAdmin = URI.create("http://127.0.0.1:" + presentation.adminAddress().getPort());
                probeAdminPort(presentationAdmin, "duet_client_sessions");
                assertThat(askAgent()).as("the agent check, on its event loop").matches("ready \\d+%\n");

                // A drain's work runs on event loops too: the notices, the clients leaving, the last close.
                assertThat(AdminPort.send(presentationAdmin, "/drain", "POST").status()).isEqualTo(202);
                RecordingListener.await(Duration.ofSeconds(10), "the drain to end", () -> drained(presentationAdmin));
                assertThat(annHears.stateLog).anyMatch(line -> line.contains("moving to another server"));
                assertThat(bobHears.stateLog).anyMatch(line -> line.contains("moving to another server"));
                assertThat(askAgent()).isEqualTo("drain\n");
            }
        }
        assertThat(blockingCalls).as(String.join("\n\n", blockingCalls)).isEmpty();
    }
}
