package io.duet.process.admin;

import io.duet.protocol.cluster.ClusterStatus;
import io.duet.protocol.cluster.ShardMapView;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * The status page: one self-contained HTML document (no external assets) whose {@code #status} element
 * holds everything shown. A small inline script fetches {@code /status} again every
 * {@value #REFRESH_SECONDS} s and swaps in the new {@code #status}, so the page stays current without
 * reloading; without scripts it is a still picture. Every value is escaped here, in {@link #escape}.
 *
 * <p>The page's {@link #CONTENT_SECURITY_POLICY} allows only this script and this style (by hash) and
 * requests to this origin, so even a value that slipped through escaping could not run.
 */
final class StatusHtml {
    static final int REFRESH_SECONDS = 2;
    /**
     * The most shards listed one by one (the page is rebuilt every refresh); past it the rest are counted,
     * and {@code bin/duet-admin shards} lists them all.
     */
    static final int MAX_SHARD_ROWS = 1024;

    static final String STYLE = "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}"
            + "h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}"
            + "table{border-collapse:collapse}th,td{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}"
            + "th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}"
            + ".meta{color:#666}.ok{color:#116611}.bad{color:#b00020;font-weight:bold}"
            + ".warn{color:#a05a00;font-weight:bold}";

    static final String SCRIPT = "(function(){var note=document.getElementById('refresh');"
            + "setInterval(function(){fetch('/status',{cache:'no-store'}).then(function(r){"
            + "if(!r.ok){throw new Error('HTTP '+r.status);}return r.text();}).then(function(html){"
            + "var fresh=new DOMParser().parseFromString(html,'text/html').getElementById('status');"
            + "if(!fresh){throw new Error('no status in the answer');}"
            + "document.getElementById('status').replaceWith(fresh);"
            + "note.textContent='Refreshed '+new Date().toLocaleTimeString()+', every " + REFRESH_SECONDS + " s.';"
            + "}).catch(function(e){note.textContent='Not refreshed: '+e.message+' (trying again every "
            + REFRESH_SECONDS + " s).';});}," + REFRESH_SECONDS * 1000 + ");})();";

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src '" + sha256(SCRIPT)
            + "'; style-src '" + sha256(STYLE) + "'; connect-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private StatusHtml() {
    }

    static String render(StatusReport report) {
        StringBuilder html = new StringBuilder(4096);
        String server = report.self().getOrDefault("server", "");
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>Duet status: ").append(escape(server)).append("</title>")
                .append("<style>").append(STYLE).append("</style></head><body>\n");
        html.append("<div id=\"status\">\n<h1>Duet cluster status</h1>\n<p class=\"meta\">As ")
                .append(escape(server.isEmpty() ? "this server" : server)).append(" sees it at ")
                .append(escape(Instant.ofEpochMilli(report.nowMillis()).toString())).append(".</p>\n");
        self(html, report.self());
        ClusterStatus cluster = report.cluster().orElse(null);
        if (cluster == null) {
            html.append("<p class=\"warn\" id=\"no-reading\">No reading of the cluster's records yet.</p>\n");
        } else if (cluster.error().isPresent()) {
            html.append("<p class=\"bad\" id=\"read-error\">").append(escape(cluster.error().get())).append("</p>\n");
        } else {
            html.append("<p class=\"meta\">Cluster records read ")
                    .append(StatusReport.age(report.nowMillis() - cluster.readAtMillis())).append(" ago.</p>\n");
            shardMap(html, cluster, report.nowMillis());
            presenters(html, cluster);
            shards(html, cluster);
        }
        html.append("</div>\n<p class=\"meta\" id=\"refresh\">Refreshes every ").append(REFRESH_SECONDS)
                .append(" s while scripts run.</p>\n<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return html.toString();
    }

    private static void self(StringBuilder html, Map<String, String> self) {
        html.append("<h2>This server</h2>\n<table id=\"self\">\n");
        self.forEach((label, value) -> html.append("<tr><th>").append(escape(label)).append("</th><td class=\"")
                .append(selfClass(label, value)).append("\">").append(escape(value)).append("</td></tr>\n"));
        html.append("</table>\n");
    }

    private static String selfClass(String label, String value) {
        if (label.equals("ready")) {
            return value.equals("yes") ? "ok" : "bad";
        }
        if (label.equals("drain")) {
            return value.startsWith("not draining") ? "ok" : "warn";
        }
        return "v";
    }

    private static void shardMap(StringBuilder html, ClusterStatus cluster, long nowMillis) {
        html.append("<h2>Shard map</h2>\n");
        ShardMapView map = cluster.map().orElse(null);
        if (map == null) {
            html.append("<p class=\"warn\" id=\"map\">No shard map published yet.</p>\n");
        } else {
            int unassigned = cluster.unassignedShards();
            html.append("<p id=\"map\">Epoch <b id=\"epoch\">").append(map.epoch()).append("</b>, published ")
                    .append(StatusReport.age(nowMillis - map.toRecord().getPublishedAtMillis()))
                    .append(" ago by leader <b id=\"leader\">").append(escape(map.leaderId())).append("</b>; <b>")
                    .append(map.shardCount()).append("</b> shards, ").append("<span class=\"")
                    .append(unassigned == 0 ? "ok" : "bad").append("\">").append(unassigned)
                    .append(" unassigned</span>.</p>\n");
        }
        html.append("<table id=\"app-servers\"><tr><th>Application server</th><th>Shards</th><th>Couples loaded</th>"
                + "<th>Map epoch seen</th><th>Zone</th><th>Host</th><th>Relay</th><th>Heartbeat age</th>"
                + "<th>State</th></tr>\n");
        for (ClusterStatus.AppServer app : cluster.appServers()) {
            html.append("<tr data-server=\"").append(escape(app.instanceId())).append("\"><td>")
                    .append(escape(app.instanceId())).append("</td>");
            number(html, "shards", app.shardsOwned());
            number(html, "couples", app.couplesLoaded());
            number(html, "epoch", app.shardMapEpoch());
            cell(html, "zone", app.zone());
            cell(html, "host", app.host());
            cell(html, "relay", app.relayEndpoint());
            cell(html, "heartbeat", app.heartbeatAgeMillis() < 0 ? "none" : StatusReport.age(app.heartbeatAgeMillis()));
            String state = appState(app);
            html.append("<td class=\"state ").append(state.equals("serving") ? "ok" : "warn").append("\">")
                    .append(escape(state)).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /** The shard map shard by shard: owner, the epoch it got the shard at, the couples it has loaded of it. */
    private static void shards(StringBuilder html, ClusterStatus cluster) {
        if (cluster.shards().isEmpty()) {
            return;
        }
        html.append("<h2>Shards</h2>\n<table id=\"shards\"><tr><th>Shard</th><th>Owner</th><th>Owner's epoch</th>"
                + "<th>Couples loaded</th></tr>\n");
        int listed = Math.min(cluster.shards().size(), MAX_SHARD_ROWS);
        for (ClusterStatus.Shard shard : cluster.shards().subList(0, listed)) {
            html.append("<tr data-shard=\"").append(shard.shard()).append("\">");
            number(html, "shard", shard.shard());
            if (shard.owner().isEmpty()) {
                html.append("<td class=\"owner bad\">unassigned</td>");
            } else {
                cell(html, "owner", shard.owner());
            }
            number(html, "epoch", shard.epoch());
            number(html, "couples", shard.couplesLoaded());
            html.append("</tr>\n");
        }
        html.append("</table>\n");
        if (listed < cluster.shards().size()) {
            html.append("<p class=\"meta\" id=\"shards-not-listed\">").append(cluster.shards().size() - listed)
                    .append(" more shards not listed here: <code>bin/duet-admin shards</code> lists them all.</p>\n");
        }
    }

    /** An application server's state in words: "serving", or what is unusual about it. */
    static String appState(ClusterStatus.AppServer app) {
        StringBuilder state = new StringBuilder();
        if (app.drained()) {
            state.append("drained");
        }
        if (!app.member()) {
            state.append(state.length() > 0 ? ", " : "").append("not a member");
        } else if (!app.inShardMap()) {
            state.append(state.length() > 0 ? ", " : "").append("not in the map yet");
        }
        if (app.heartbeatAgeMillis() < 0) {
            state.append(state.length() > 0 ? ", " : "").append("no heartbeat");
        }
        return state.length() == 0 ? "serving" : state.toString();
    }

    private static void presenters(StringBuilder html, ClusterStatus cluster) {
        int total = cluster.presenters().stream().mapToInt(ClusterStatus.Presenter::sessions).sum();
        html.append("<h2>Presentation servers</h2>\n<p>").append(cluster.presenters().size())
                .append(" live, <b id=\"total-sessions\">").append(total).append("</b> client session")
                .append(total == 1 ? "" : "s").append(" in all.</p>\n")
                .append("<table id=\"presenters\"><tr><th>Presentation server</th><th>Connected clients</th><th>Ready</th>"
                        + "<th>Drain</th><th>Status page</th><th>Record age</th></tr>\n");
        for (ClusterStatus.Presenter presenter : cluster.presenters()) {
            html.append("<tr data-server=\"").append(escape(presenter.instanceId())).append("\"><td>")
                    .append(escape(presenter.instanceId())).append("</td>");
            number(html, "sessions", presenter.sessions());
            html.append("<td class=\"ready ").append(presenter.ready() ? "ok" : "bad").append("\">")
                    .append(escape(presenter.ready() ? "yes" : "no: " + presenter.notReadyReason())).append("</td>");
            cell(html, "drain", drainWords(presenter.drainPhase()));
            html.append("<td class=\"admin\">");
            if (!presenter.adminEndpoint().isEmpty()) {
                String url = "http://" + presenter.adminEndpoint() + "/status";
                html.append("<a href=\"").append(escape(url)).append("\">").append(escape(presenter.adminEndpoint()))
                        .append("</a>");
            }
            html.append("</td>");
            cell(html, "age", StatusReport.age(presenter.updatedAgeMillis()));
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    /** A drain phase's name ({@code DrainStatus.Phase}) in words. */
    static String drainWords(String phase) {
        switch (phase) {
            case "NOT_STARTED":
                return "not draining";
            case "DRAINING":
                return "draining";
            case "DRAINED":
                return "drained";
            default:
                return phase;
        }
    }

    private static void number(StringBuilder html, String name, long value) {
        html.append("<td class=\"n ").append(name).append("\">").append(value < 0 ? "-" : Long.toString(value))
                .append("</td>");
    }

    private static void cell(StringBuilder html, String name, String value) {
        html.append("<td class=\"").append(name).append("\">").append(escape(value)).append("</td>");
    }

    /** {@code text} safe inside an element or a quoted attribute. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
