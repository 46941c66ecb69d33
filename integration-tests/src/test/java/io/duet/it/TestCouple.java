package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.Session;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two users who signed up and paired over HTTP, each through a different presentation server, with
 * helpers to open their TCP sessions.
 */
public final class TestCouple {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    public final LocalCluster cluster;
    public final Session ann;
    public final Session bob;

    private TestCouple(LocalCluster cluster, Session ann, Session bob) {
        this.cluster = cluster;
        this.ann = ann;
        this.bob = bob;
    }

    public static DuetHttp http(LocalCluster cluster, int presentationServer, String deviceId) {
        return new DuetHttp(cluster.clientHttpEndpoint(presentationServer), deviceId);
    }

    public static String uniqueEmail(String name) {
        return name + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                + System.nanoTime() + "@example.com";
    }

    public static TestCouple pair(LocalCluster cluster) throws Exception {
        return pair(cluster, http(cluster, 0, "ann-phone"), http(cluster, 1, "bob-phone"));
    }

    /** Two users who signed up and paired over HTTP through the cluster's one client endpoint. */
    public static TestCouple pairThroughEndpoint(LocalCluster cluster) throws Exception {
        java.net.URI endpoint = cluster.clientEndpoint().http();
        return pair(cluster, new DuetHttp(endpoint, "ann-phone"), new DuetHttp(endpoint, "bob-phone"));
    }

    private static TestCouple pair(LocalCluster cluster, DuetHttp annHttp, DuetHttp bobHttp) throws Exception {
        Session ann = annHttp.signUp(uniqueEmail("ann"), "ann's password", "Ann");
        Session bob = bobHttp.signUp(uniqueEmail("bob"), "bob's password", "Bob");
        String code = annHttp.createInvite(ann.getToken()).getCode();
        Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code);
        Session annPaired = annHttp.refreshSession(ann.getToken());
        assertThat(bobPaired.getCoupleId()).isNotZero().isEqualTo(annPaired.getCoupleId());
        return new TestCouple(cluster, annPaired, bobPaired);
    }

    /** A connected TCP session of {@code session}'s user through presentation server {@code index}. */
    public DuetClient connect(Session session, int presentationServer, RecordingListener listener, long resumeAfter)
            throws Exception {
        return connect(session, cluster.clientTcpEndpoint(presentationServer), listener, resumeAfter);
    }

    /** A connected TCP session of {@code session}'s user through the cluster's one client endpoint. */
    public DuetClient connectThroughEndpoint(Session session, RecordingListener listener, long resumeAfter)
            throws Exception {
        return connect(session, cluster.clientEndpoint().tcp(), listener, resumeAfter);
    }

    private DuetClient connect(Session session, java.net.InetSocketAddress server, RecordingListener listener,
            long resumeAfter) throws Exception {
        DuetClient client = DuetClient.builder()
                .server(server)
                .token(session.getToken())
                .resumeAfter(resumeAfter)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .listener(listener)
                .build();
        client.connect().get(30, TimeUnit.SECONDS);
        return client;
    }
}
