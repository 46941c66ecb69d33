package io.duet.process.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.process.admin.DrainStatus.Phase;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ClusterStatus;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.PresenterStatus;
import io.duet.protocol.cluster.ServerStatus;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /status} and {@code GET /status.json}: what they show, escaped, and that the rest goes on. */
class StatusHandlerTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final String EVIL = "app-<script>alert(1)</script>\"'&@x";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Optional<String>> whyNotReady = new AtomicReference<>(Optional.empty());
    private final AtomicReference<StatusSource> source = new AtomicReference<>(StatusSource.NONE);
    private final DrainControl drain = new DrainControl() {
        @Override
        public DrainStatus startDrain() {
            return drainStatus();
        }

        @Override
        public DrainStatus drainStatus() {
            return DrainStatus.of(Phase.DRAINING, "3 client sessions left");
        }
    };
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new StatusHandler(whyNotReady::get, drain, source::get, Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC)),
            new AdminHandler(whyNotReady::get, registry, drain));

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
        registry.close();
    }

    private FullHttpResponse request(HttpMethod method, String uri) {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri));
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response to %s %s", method, uri).isNotNull();
        return response;
    }

    private static String body(FullHttpResponse response) {
        try {
            return response.content().toString(StandardCharsets.UTF_8);
        } finally {
            response.release();
        }
    }

    /** Two application servers (one with a hostile name), four shards, one unassigned; two presentation servers. */
    private static ClusterStatus cluster() throws Exception {
        AppServerInfo a = new AppServerInfo("app-1@k1", new Endpoint("127.0.0.1", 4100), NOW - 60_000).setZone("zone-a");
        AppServerInfo evil = new AppServerInfo(EVIL, new Endpoint("127.0.0.1", 4101), NOW - 60_000).setHost("<b>host</b>");
        List<ShardAssignment> shards = new ArrayList<>(List.of(new ShardAssignment("app-1@k1", 3),
                new ShardAssignment("app-1@k1", 3), new ShardAssignment(EVIL, 5), new ShardAssignment("", 0)));
        ShardMap map = new ShardMap(7, 4, shards, Map.of("app-1@k1", a, EVIL, evil), NOW - 5_000, "app-1@k1");
        return ClusterStatus.builder(NOW - 500)
                .map(ShardMapView.of(map))
                .member("app-1@k1", a)
                .member(EVIL, evil)
                .heartbeat("app-1@k1", NOW - 700, new ServerStatus(10, 5, 7).setCouplesLoadedByShard(Map.of(1, 5)))
                .heartbeat(EVIL, NOW - 900, new ServerStatus(3, 2, 7))
                .drained("app-<script>alert(1)</script>\"'&")
                .presenter("presentation-1@p1", new PresenterStatus("presentation-1@p1", NOW - 60_000, NOW - 2_500,
                        12, true, "", "NOT_STARTED").setAdminEndpoint(new Endpoint("127.0.0.1", 9301)))
                .presenter("presentation-2@p2", new PresenterStatus("presentation-2@p2", NOW - 60_000, NOW - 1_500,
                        4, false, "draining: <4 left>", "DRAINING"))
                .build();
    }

    private void serve(ClusterStatus cluster) {
        source.set(new StatusSource() {
            @Override
            public Map<String, String> self() {
                return Map.of("server", "presentation-1@p1", "client sessions", "12");
            }

            @Override
            public Optional<ClusterStatus> cluster() {
                return Optional.of(cluster);
            }
        });
    }

    @Test
    void thePageShowsTheMapEveryServerAndTheDrainWithEveryValueEscaped() throws Exception {
        serve(cluster());
        FullHttpResponse response = request(HttpMethod.GET, "/status");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertThat(response.headers().get("Content-Security-Policy")).startsWith("default-src 'none'; script-src 'sha256-");
        assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        String html = body(response);

        assertThat(html).contains("<b id=\"epoch\">7</b>", "<b>4</b> shards", "1 unassigned",
                "by leader <b id=\"leader\">app-1@k1</b>");
        assertThat(html).contains("<tr data-server=\"app-1@k1\"><td>app-1@k1</td><td class=\"n shards\">2</td>"
                + "<td class=\"n couples\">5</td><td class=\"n epoch\">7</td><td class=\"zone\">zone-a</td>");
        assertThat(html).contains("<td class=\"heartbeat\">0.2 s</td>");
        // Shard by shard: owner, epoch, couples (unknown where the owner's heartbeat does not break them down).
        assertThat(html).contains("<th>Connected clients</th>",
                "<tr data-shard=\"0\"><td class=\"n shard\">0</td><td class=\"owner\">app-1@k1</td>"
                        + "<td class=\"n epoch\">3</td><td class=\"n couples\">0</td></tr>",
                "<tr data-shard=\"1\"><td class=\"n shard\">1</td><td class=\"owner\">app-1@k1</td>"
                        + "<td class=\"n epoch\">3</td><td class=\"n couples\">5</td></tr>",
                "<tr data-shard=\"2\"><td class=\"n shard\">2</td><td class=\"owner\">"
                        + "app-&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;@x</td>"
                        + "<td class=\"n epoch\">5</td><td class=\"n couples\">-</td></tr>",
                "<tr data-shard=\"3\"><td class=\"n shard\">3</td><td class=\"owner bad\">unassigned</td>"
                        + "<td class=\"n epoch\">0</td><td class=\"n couples\">-</td></tr>");
        assertThat(html).doesNotContain("shards-not-listed");
        assertThat(html).contains("<td class=\"n shards\">1</td><td class=\"n couples\">2</td>");
        assertThat(html).contains("<b id=\"total-sessions\">16</b> client sessions in all.", "<td class=\"n sessions\">12</td>",
                "<td class=\"n sessions\">4</td>", "no: draining: &lt;4 left&gt;", "<td class=\"drain\">draining</td>",
                "<a href=\"http://127.0.0.1:9301/status\">127.0.0.1:9301</a>");
        assertThat(html).contains("<th>ready</th><td class=\"ok\">yes</td>",
                "<th>drain</th><td class=\"warn\">draining: 3 client sessions left</td>",
                "<th>client sessions</th><td class=\"v\">12</td>");
        // The hostile server id shows as text, and its drain applies to it.
        assertThat(html).contains("app-&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;@x", "&lt;b&gt;host&lt;/b&gt;",
                "<td class=\"state warn\">drained</td>");
        assertThat(html).doesNotContain("<script>alert", "<b>host</b>");
        assertThat(html.split("<script>", -1)).as("one script: the page's own").hasSize(2);
        assertThat(html).contains("<script>" + StatusHtml.SCRIPT + "</script>");
    }

    @Test
    void oneClientSessionIsSingular() throws Exception {
        serve(ClusterStatus.builder(NOW - 500)
                .presenter("presentation-1@p1", new PresenterStatus("presentation-1@p1", NOW - 60_000, NOW - 2_500,
                        1, true, "", "NOT_STARTED"))
                .build());
        assertThat(body(request(HttpMethod.GET, "/status"))).contains("<b id=\"total-sessions\">1</b> client session in all.");
    }

    @Test
    void theJsonHasTheSameContentWithStringsEscaped() throws Exception {
        serve(cluster());
        whyNotReady.set(Optional.of("draining: 3 left"));
        FullHttpResponse response = request(HttpMethod.GET, "/status.json?x=1");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        String json = body(response);
        assertThat(json).startsWith("{\"self\":{\"server\":\"presentation-1@p1\",\"ready\":\"no: draining: 3 left\","
                + "\"drain\":\"draining: 3 client sessions left\",\"client sessions\":\"12\"},\"nowMillis\":" + NOW);
        assertThat(json).contains("\"shardMap\":{\"epoch\":7,\"leader\":\"app-1@k1\",\"shardCount\":4,\"unassigned\":1,");
        assertThat(json).contains("\"shards\":[{\"shard\":0,\"owner\":\"app-1@k1\",\"epoch\":3,\"couplesLoaded\":0},"
                + "{\"shard\":1,\"owner\":\"app-1@k1\",\"epoch\":3,\"couplesLoaded\":5},{\"shard\":2,\"owner\":\"app-");
        assertThat(json).contains("{\"shard\":3,\"owner\":\"\",\"epoch\":0,\"couplesLoaded\":-1}],\"appServers\":[");
        assertThat(json).contains("{\"id\":\"app-1@k1\",\"shards\":2,\"couplesLoaded\":5,\"shardMapEpoch\":7,");
        assertThat(json).contains("\"id\":\"app-\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\\\"'\\u0026@x\"");
        assertThat(json).contains("{\"id\":\"presentation-2@p2\",\"sessions\":4,\"ready\":false,"
                + "\"notReadyReason\":\"draining: \\u003c4 left\\u003e\",\"drain\":\"DRAINING\",\"admin\":\"\","
                + "\"recordAgeMillis\":1000}");
        assertThat(json).endsWith("\"totalSessions\":16}}\n");
    }

    @Test
    void beforeTheServerCanReadItsClusterThePageSaysSo() {
        whyNotReady.set(Optional.of("starting"));
        String html = body(request(HttpMethod.GET, "/status"));
        assertThat(html).contains("<th>ready</th><td class=\"bad\">no: starting</td>", "No reading of the cluster");
        assertThat(body(request(HttpMethod.GET, "/status.json"))).endsWith("\"cluster\":null}\n");
    }

    @Test
    void aMapOfManyShardsListsTheFirstOnesAndCountsTheRest() throws Exception {
        int count = StatusHtml.MAX_SHARD_ROWS + 5;
        List<ShardAssignment> shards = new ArrayList<>();
        for (int shard = 0; shard < count; shard++) {
            shards.add(new ShardAssignment("app-1@k1", 2));
        }
        AppServerInfo a = new AppServerInfo("app-1@k1", new Endpoint("127.0.0.1", 4100), NOW - 60_000);
        serve(ClusterStatus.builder(NOW).map(ShardMapView.of(new ShardMap(2, count, shards, Map.of("app-1@k1", a),
                NOW, "app-1@k1"))).member("app-1@k1", a).build());
        String html = body(request(HttpMethod.GET, "/status"));
        assertThat(html.split("<tr data-shard=", -1)).hasSize(StatusHtml.MAX_SHARD_ROWS + 1);
        assertThat(html).contains("<tr data-shard=\"" + (StatusHtml.MAX_SHARD_ROWS - 1) + "\">",
                "<p class=\"meta\" id=\"shards-not-listed\">5 more shards not listed here");
        String json = body(request(HttpMethod.GET, "/status.json"));
        assertThat(json.split("\\{\"shard\":", -1)).hasSize(StatusHtml.MAX_SHARD_ROWS + 1);
        assertThat(json).contains("\"shardCount\":" + count);
    }

    @Test
    void aFailedReadingShowsWhy() {
        serve(ClusterStatus.failed(NOW, "reading ZooKeeper failed: <timeout>"));
        assertThat(body(request(HttpMethod.GET, "/status"))).contains("reading ZooKeeper failed: &lt;timeout&gt;");
    }

    @Test
    void otherMethodsAreRefusedAndOtherPathsGoOn() {
        FullHttpResponse post = request(HttpMethod.POST, "/status");
        assertThat(post.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(post.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
        post.release();
        assertThat(body(request(HttpMethod.GET, "/live"))).isEqualTo("live\n");
        FullHttpResponse missing = request(HttpMethod.GET, "/statusx");
        assertThat(missing.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(body(missing)).contains("/status");
    }

    @Test
    void agesReadForPeople() {
        assertThat(StatusReport.age(-1)).isEqualTo("-");
        assertThat(StatusReport.age(420)).isEqualTo("0.4 s");
        assertThat(StatusReport.age(12_300)).isEqualTo("12 s");
        assertThat(StatusReport.age(180_000)).isEqualTo("3 min");
        assertThat(StatusReport.age(3 * 3_600_000)).isEqualTo("3 h");
    }
}
