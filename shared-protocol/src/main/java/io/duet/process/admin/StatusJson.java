package io.duet.process.admin;

import io.duet.protocol.cluster.ClusterStatus;
import io.duet.protocol.cluster.ShardMapView;
import java.util.Map;

/**
 * The status page's content as JSON, for scripts ({@code GET /status.json}):
 *
 * <pre>
 * {"self": {"server": "...", "ready": "yes", ...}, "nowMillis": 1700000000000,
 *  "cluster": null | {"readAtMillis": ..., "error": null | "...",
 *    "shardMap": null | {"epoch": 7, "leader": "...", "shardCount": 64, "unassigned": 0, "publishedAtMillis": ...},
 *    "shards": [{"shard": 0, "owner": "..." | "", "epoch": 5, "couplesLoaded": 2}],
 *    "appServers": [{"id": "...", "shards": 32, "couplesLoaded": 5, "shardMapEpoch": 7, "zone": "", "host": "",
 *                    "relay": "127.0.0.1:4100", "heartbeatAgeMillis": 120, "member": true, "inShardMap": true,
 *                    "drained": false, "state": "serving"}],
 *    "presenters": [{"id": "...", "sessions": 12, "ready": true, "notReadyReason": "", "drain": "NOT_STARTED",
 *                    "admin": "127.0.0.1:9300", "recordAgeMillis": 800}],
 *    "totalSessions": 12}}
 * </pre>
 *
 * Unknown numbers are -1. {@code shards} lists the first {@value StatusHtml#MAX_SHARD_ROWS} shards of the map
 * ({@code shardCount} says how many there are); an unassigned shard's owner is empty.
 */
final class StatusJson {
    private StatusJson() {
    }

    static String render(StatusReport report) {
        StringBuilder json = new StringBuilder(2048).append("{\"self\":{");
        boolean first = true;
        for (Map.Entry<String, String> entry : report.self().entrySet()) {
            json.append(first ? "" : ",");
            quote(json, entry.getKey()).append(':');
            quote(json, entry.getValue());
            first = false;
        }
        json.append("},\"nowMillis\":").append(report.nowMillis()).append(",\"cluster\":");
        ClusterStatus cluster = report.cluster().orElse(null);
        if (cluster == null) {
            return json.append("null}\n").toString();
        }
        json.append("{\"readAtMillis\":").append(cluster.readAtMillis()).append(",\"error\":");
        if (cluster.error().isPresent()) {
            quote(json, cluster.error().get());
        } else {
            json.append("null");
        }
        json.append(",\"shardMap\":");
        ShardMapView map = cluster.map().orElse(null);
        if (map == null) {
            json.append("null");
        } else {
            json.append("{\"epoch\":").append(map.epoch()).append(",\"leader\":");
            quote(json, map.leaderId()).append(",\"shardCount\":").append(map.shardCount())
                    .append(",\"unassigned\":").append(cluster.unassignedShards())
                    .append(",\"publishedAtMillis\":").append(map.toRecord().getPublishedAtMillis()).append('}');
        }
        json.append(",\"shards\":[");
        first = true;
        for (ClusterStatus.Shard shard : cluster.shards().subList(0, Math.min(cluster.shards().size(),
                StatusHtml.MAX_SHARD_ROWS))) {
            json.append(first ? "{\"shard\":" : ",{\"shard\":").append(shard.shard()).append(",\"owner\":");
            quote(json, shard.owner()).append(",\"epoch\":").append(shard.epoch()).append(",\"couplesLoaded\":")
                    .append(shard.couplesLoaded()).append('}');
            first = false;
        }
        json.append("],\"appServers\":[");
        first = true;
        for (ClusterStatus.AppServer app : cluster.appServers()) {
            json.append(first ? "{\"id\":" : ",{\"id\":");
            quote(json, app.instanceId()).append(",\"shards\":").append(app.shardsOwned())
                    .append(",\"couplesLoaded\":").append(app.couplesLoaded())
                    .append(",\"shardMapEpoch\":").append(app.shardMapEpoch()).append(",\"zone\":");
            quote(json, app.zone()).append(",\"host\":");
            quote(json, app.host()).append(",\"relay\":");
            quote(json, app.relayEndpoint()).append(",\"heartbeatAgeMillis\":").append(app.heartbeatAgeMillis())
                    .append(",\"member\":").append(app.member()).append(",\"inShardMap\":").append(app.inShardMap())
                    .append(",\"drained\":").append(app.drained()).append(",\"state\":");
            quote(json, StatusHtml.appState(app)).append('}');
            first = false;
        }
        json.append("],\"presenters\":[");
        first = true;
        int total = 0;
        for (ClusterStatus.Presenter presenter : cluster.presenters()) {
            json.append(first ? "{\"id\":" : ",{\"id\":");
            quote(json, presenter.instanceId()).append(",\"sessions\":").append(presenter.sessions())
                    .append(",\"ready\":").append(presenter.ready()).append(",\"notReadyReason\":");
            quote(json, presenter.notReadyReason()).append(",\"drain\":");
            quote(json, presenter.drainPhase()).append(",\"admin\":");
            quote(json, presenter.adminEndpoint()).append(",\"recordAgeMillis\":").append(presenter.updatedAgeMillis())
                    .append('}');
            total += presenter.sessions();
            first = false;
        }
        return json.append("],\"totalSessions\":").append(total).append("}}\n").toString();
    }

    /** Appends {@code text} as a JSON string. */
    static StringBuilder quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    // Below space must be escaped; '<' too, so that the text is safe even inside a <script>.
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
