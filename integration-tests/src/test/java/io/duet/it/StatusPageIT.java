package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.cluster.Shards;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operators' status page ({@code GET /status} on the admin port) in a real browser, headless
 * Chromium: it lists every application server with its shards, every shard with its owner (a live
 * application server), the epoch the owner got it at and the couples it has loaded, and every presentation
 * server with its connected clients and drain state; and it keeps itself current without reloading:
 * clients that connect (their couple loaded on its shard's owner) and a drain that starts show up on the
 * open page. Its screenshot is left at {@code target/status-page.png} (.ci/run keeps a copy in
 * {@code $DUET_CI_ARTIFACTS}, by default {@code /tmp/duet-ci-artifacts}).
 */
class StatusPageIT {
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster();

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Reads what the page shows now, one fact a line. */
    private static final String READ_PAGE = String.join("\n",
            "var rows = [];",
            "document.querySelectorAll('#app-servers tr[data-server]').forEach(function (tr) {",
            "  rows.push('app ' + tr.dataset.server + ' ' + tr.querySelector('.shards').textContent); });",
            "document.querySelectorAll('#presenters tr[data-server]').forEach(function (tr) {",
            "  rows.push('presenter ' + tr.dataset.server + ' ' + tr.querySelector('.sessions').textContent",
            "      + ' ' + tr.querySelector('.drain').textContent); });",
            "document.querySelectorAll('#shards tr[data-shard]').forEach(function (tr) {",
            "  rows.push('shard ' + tr.dataset.shard + ' ' + tr.querySelector('.owner').textContent",
            "      + ' ' + tr.querySelector('.epoch').textContent + ' ' + tr.querySelector('.couples').textContent); });",
            "var total = document.getElementById('total-sessions');",
            "rows.push('total ' + (total ? total.textContent : '-1'));",
            "rows.push('marker ' + (window.duetMarker || 'none'));",
            "return rows.join('\\n');");

    /** A row of the page's shard table; couples is -1 where the page shows "-". */
    record ShardRow(String owner, long epoch, int couples) {
    }

    /**
     * What the page shows: shards by application server, "sessions drain" by presentation server, the shard
     * table by shard.
     */
    record Page(Map<String, Integer> shards, Map<String, String> presenters, Map<Integer, ShardRow> shardTable,
            int totalSessions, String marker, String raw) {
        static Page parse(String text) {
            Map<String, Integer> shards = new TreeMap<>();
            Map<String, String> presenters = new TreeMap<>();
            Map<Integer, ShardRow> shardTable = new TreeMap<>();
            int total = -1;
            String marker = "";
            for (String line : text.split("\n")) {
                String[] parts = line.split(" ", 3);
                switch (parts[0]) {
                    case "app" -> shards.put(parts[1], Integer.parseInt(parts[2]));
                    case "presenter" -> presenters.put(parts[1], parts[2]);
                    case "shard" -> {
                        String[] row = parts[2].split(" ");
                        shardTable.put(Integer.parseInt(parts[1]), new ShardRow(row[0], Long.parseLong(row[1]),
                                row[2].equals("-") ? -1 : Integer.parseInt(row[2])));
                    }
                    case "total" -> total = Integer.parseInt(parts[1]);
                    case "marker" -> marker = parts[1];
                    default -> {
                    }
                }
            }
            return new Page(shards, presenters, shardTable, total, marker, text);
        }

        boolean lists(String prefix, Map<String, ?> rows) {
            return rows.keySet().stream().anyMatch(id -> id.startsWith(prefix + "@"));
        }

        String presenter(String name) {
            return presenters.entrySet().stream().filter(entry -> entry.getKey().startsWith(name + "@"))
                    .map(Map.Entry::getValue).findFirst().orElse("");
        }
    }

    @Test
    void thePageShowsTheWholeClusterAndFollowsItWithoutReloading() throws Exception {
        assertThat(HeadlessChromium.missing()).as("browser").isEmpty();
        LocalCluster cluster = CLUSTER.get();
        Node first = cluster.presentationServers().get(0);
        Node second = cluster.presentationServers().get(1);
        Path target = Path.of("target");
        Files.createDirectories(target);
        try (HeadlessChromium browser = HeadlessChromium.start(1400, 1000, target.resolve("chromedriver.log"))) {
            browser.open(AdminPort.of(first).resolve("/status"));
            Page page = await(browser, "every server and every shard", shown -> {
                boolean allServers = cluster.applicationServers().stream().allMatch(app -> shown.lists(app.name(), shown.shards()))
                        && cluster.presentationServers().stream().allMatch(p -> shown.lists(p.name(), shown.presenters()));
                return allServers && shown.shards().values().stream().mapToInt(Integer::intValue).sum() == cluster.shards();
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
                Page connected = await(browser, "two more sessions and the couple loaded on shard " + shard,
                        shown -> shown.totalSessions() >= before + 2 && shown.shardTable().containsKey(shard)
                                && shown.shardTable().get(shard).couples() >= 1);
                assertThat(connected.shards()).as("its owner is listed").containsKey(
                        connected.shardTable().get(shard).owner());
                assertThat(connected.marker()).as("the same page, refreshed in place").isEqualTo("kept");
                assertThat(connected.presenter(first.name())).as("ann's server").doesNotStartWith("0 ");
                assertThat(connected.presenter(second.name())).as("bob's server").doesNotStartWith("0 ");

                assertThat(AdminPort.send(AdminPort.of(second), "/drain", "POST").status()).isIn(200, 202);
                Page drained = await(browser, second.name() + " draining",
                        shown -> shown.presenter(second.name()).matches("\\d+ drain(ing|ed)"));
                assertThat(drained.marker()).isEqualTo("kept");
                assertThat(drained.presenter(first.name())).endsWith("not draining");
                Path screenshot = target.resolve("status-page.png");
                browser.screenshot(screenshot);
                assertPng(Files.readAllBytes(screenshot));
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

    /** A PNG of the window (1400 px wide) with something on it: a blank one of that size is a few KB. */
    private static void assertPng(byte[] png) {
        assertThat(png).as("the PNG signature").startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        assertThat(java.nio.ByteBuffer.wrap(png, 16, 4).getInt()).as("its width (IHDR)").isEqualTo(1400);
        assertThat(png.length).as("its size in bytes").isGreaterThan(20_000);
    }

    private static Page await(HeadlessChromium browser, String what, Predicate<Page> done) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Page page = Page.parse(browser.run(READ_PAGE));
        while (!done.test(page)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the status page did not show " + what + " within " + WAIT.toSeconds()
                        + " s; it shows:\n" + page.raw());
            }
            TimeUnit.MILLISECONDS.sleep(250);
            page = Page.parse(browser.run(READ_PAGE));
        }
        return page;
    }
}
