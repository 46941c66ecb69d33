package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.client.DuetClientBuilder;
import io.duet.client.DuetHttp;
import io.duet.client.DuetTls;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.Session;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two users who signed up and paired over HTTP, each through a different presentation server (or both
 * through the one client endpoint), with helpers to open their TCP sessions.
 */
public final class TestCouple {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Map<Path, DuetTls> TLS = new ConcurrentHashMap<>();
    /** The device each partner signed up and paired on: {@link #ann}'s and {@link #bob}'s sessions are for it. */
    public static final String ANN_DEVICE = "ann-phone";
    public static final String BOB_DEVICE = "bob-phone";
    private static final String ANN_PASSWORD = "ann's password";
    private static final String BOB_PASSWORD = "bob's password";

    public final LocalCluster cluster;
    public final Session ann;
    public final Session bob;
    /** Each partner's email and password, by user id, to log in on another device. */
    private final Map<Long, String[]> credentials;

    private TestCouple(LocalCluster cluster, Session ann, String annEmail, Session bob, String bobEmail) {
        this.cluster = cluster;
        this.ann = ann;
        this.bob = bob;
        this.credentials = Map.of(ann.getUserId(), new String[] {annEmail, ANN_PASSWORD},
                bob.getUserId(), new String[] {bobEmail, BOB_PASSWORD});
    }

    public static DuetHttp http(LocalCluster cluster, int presentationServer, String deviceId) {
        return http(cluster, cluster.clientHttpEndpoint(presentationServer), deviceId);
    }

    /** The HTTP API through the cluster's one client endpoint. */
    public static DuetHttp httpThroughEndpoint(LocalCluster cluster, String deviceId) {
        return http(cluster, cluster.clientEndpoint().http(), deviceId);
    }

    private static DuetHttp http(LocalCluster cluster, URI base, String deviceId) {
        DuetTls tls = tls(cluster);
        return tls == null ? new DuetHttp(base, deviceId) : new DuetHttp(base, deviceId, tls);
    }

    /** Trust in the cluster's CA when its client ports speak TLS, else null; one per CA, like one app's. */
    public static DuetTls tls(LocalCluster cluster) {
        Path ca = cluster.clientEndpoint().tlsCa();
        return ca == null ? null : TLS.computeIfAbsent(ca, DuetTls::trusting);
    }

    public static String uniqueEmail(String name) {
        return name + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                + System.nanoTime() + "@example.com";
    }

    /**
     * Two users who signed up and paired over HTTP, Ann through the first presentation server and Bob through
     * the second (the first, in a cluster of one).
     */
    public static TestCouple pair(LocalCluster cluster) throws Exception {
        int bobsServer = Math.min(1, cluster.presentationServers().size() - 1);
        return pair(cluster, http(cluster, 0, ANN_DEVICE), http(cluster, bobsServer, BOB_DEVICE));
    }

    /** Two users who signed up and paired over HTTP through the cluster's one client endpoint. */
    public static TestCouple pairThroughEndpoint(LocalCluster cluster) throws Exception {
        return pair(cluster, httpThroughEndpoint(cluster, ANN_DEVICE), httpThroughEndpoint(cluster, BOB_DEVICE));
    }

    private static TestCouple pair(LocalCluster cluster, DuetHttp annHttp, DuetHttp bobHttp) throws Exception {
        String annEmail = uniqueEmail("ann");
        String bobEmail = uniqueEmail("bob");
        Session ann = annHttp.signUp(annEmail, ANN_PASSWORD, "Ann");
        Session bob = bobHttp.signUp(bobEmail, BOB_PASSWORD, "Bob");
        String code = annHttp.createInvite(ann.getToken()).getCode();
        Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code);
        Session annPaired = annHttp.refreshSession(ann.getToken());
        assertThat(bobPaired.getCoupleId()).isNotZero().isEqualTo(annPaired.getCoupleId());
        return new TestCouple(cluster, annPaired, annEmail, bobPaired, bobEmail);
    }

    /**
     * A session of {@code user}'s on another device: a log-in with {@code deviceId} over HTTP through
     * presentation server {@code presentationServer}, so that its token names that device.
     */
    public Session logInOnDevice(Session user, int presentationServer, String deviceId) throws Exception {
        String[] emailAndPassword = credentials.get(user.getUserId());
        if (emailAndPassword == null) {
            throw new IllegalArgumentException("user " + user.getUserId() + " is not in this couple");
        }
        Session session = http(cluster, presentationServer, deviceId).logIn(emailAndPassword[0], emailAndPassword[1]);
        assertThat(session.getUserId()).isEqualTo(user.getUserId());
        assertThat(session.getCoupleId()).isEqualTo(user.getCoupleId());
        return session;
    }

    /** A connected TCP session of {@code session}'s user through presentation server {@code index}. */
    public DuetClient connect(Session session, int presentationServer, RecordingListener listener, long resumeAfter)
            throws Exception {
        return connect(session, presentationServer, listener, resumeAfter, 0);
    }

    /** As {@link #connect(Session, int, RecordingListener, long)}, resuming after change {@code lastChange} too. */
    public DuetClient connect(Session session, int presentationServer, RecordingListener listener, long resumeAfter,
            long lastChange) throws Exception {
        return connect(session, cluster.clientTcpEndpoint(presentationServer), listener, resumeAfter, lastChange);
    }

    /** A connected TCP session of {@code session}'s user through the cluster's one client endpoint. */
    public DuetClient connectThroughEndpoint(Session session, RecordingListener listener, long resumeAfter)
            throws Exception {
        return connect(session, cluster.clientEndpoint().tcp(), listener, resumeAfter, 0);
    }

    private DuetClient connect(Session session, InetSocketAddress server, RecordingListener listener,
            long resumeAfter, long lastChange) throws Exception {
        DuetClientBuilder builder = DuetClient.builder()
                .server(server)
                .token(session.getToken())
                .resumeAfter(resumeAfter, lastChange)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .listener(listener);
        DuetTls tls = tls(cluster);
        if (tls != null) {
            builder.tls(tls);
        }
        DuetClient client = builder.build();
        client.connect().get(30, TimeUnit.SECONDS);
        return client;
    }
}
