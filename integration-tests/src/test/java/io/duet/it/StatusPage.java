package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the operators' status page ({@code GET /status} on the admin port) shows in headless Chromium, read
 * off the page one fact a line ({@link Page}), and a check of its screenshot; for {@code AdminToolIT}'s
 * status page test.
 */
final class StatusPage {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private StatusPage() {
    }

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

    /** A PNG of the window (1400 px wide) with something on it: a blank one of that size is a few KB. */
    static void assertPng(byte[] png) {
        assertThat(png).as("the PNG signature").startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        assertThat(java.nio.ByteBuffer.wrap(png, 16, 4).getInt()).as("its width (IHDR)").isEqualTo(1400);
        assertThat(png.length).as("its size in bytes").isGreaterThan(20_000);
    }

    static Page await(HeadlessChromium browser, String what, Predicate<Page> done) throws Exception {
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
