package io.duet.it;

import io.duet.deploy.local.Node;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalDouble;

/** A test's view of a server's admin port: plain GETs, and samples read from its Prometheus text. */
public final class AdminPort {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

    /** One answer: its status and body. */
    public record Answer(int status, String body) {
        @Override
        public String toString() {
            return status + " " + body.strip();
        }
    }

    private AdminPort() {
    }

    /** The admin endpoint of a running Duet server. */
    public static URI of(Node node) {
        return node.adminEndpoint().orElseThrow(() -> new IllegalStateException(node + " has no admin endpoint"));
    }

    public static Answer get(URI admin, String path) throws IOException, InterruptedException {
        return send(admin, path, "GET");
    }

    /**
     * Sends {@code method path} and waits up to {@link #ANSWER_TIMEOUT} for the answer: a cold JVM on a
     * saturated slower box (Intel Xeon at 2.0 GHz) was seen to take over 5 s to render its first metrics.
     */
    public static Answer send(URI admin, String path, String method) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(admin.resolve(path)).timeout(ANSWER_TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /** The server's {@code /metrics} text; fails unless 200. */
    public static String scrape(Node node) throws IOException, InterruptedException {
        Answer answer = get(of(node), "/metrics");
        if (answer.status() != 200) {
            throw new IOException(node + " /metrics: " + answer);
        }
        return answer.body();
    }

    /** The sum of every sample of {@code name} (whatever its labels) in Prometheus text, if it has any. */
    public static OptionalDouble sample(String metrics, String name) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            char after = line.length() > name.length() ? line.charAt(name.length()) : ' ';
            if (after != ' ' && after != '{') {
                continue;
            }
            sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            found = true;
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }

    /**
     * The sum of the samples of {@code name} whose labels include every one of {@code labels} (each
     * written as Prometheus writes it, such as {@code method="sendMessage"}), if it has any.
     */
    public static OptionalDouble sample(String metrics, String name, String... labels) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{")) {
                continue;
            }
            String labelText = line.substring(name.length(), line.lastIndexOf('}') + 1);
            if (java.util.Arrays.stream(labels).allMatch(label -> labelText.contains(label))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? OptionalDouble.of(sum) : OptionalDouble.empty();
    }
}
