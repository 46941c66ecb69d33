package io.duet.admin.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Requests to a server's admin port ({@code /ready}, {@code /drain}), each bounded by a timeout. */
final class AdminHttp {
    /** One answer: its status and its one-line body. */
    record Answer(int status, String body) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    AdminHttp(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Answer get(URI admin, String path) throws IOException, InterruptedException {
        return send(admin, path, "GET");
    }

    Answer post(URI admin, String path) throws IOException, InterruptedException {
        return send(admin, path, "POST");
    }

    private Answer send(URI admin, String path, String method) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(admin.resolve(path)).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body().strip());
    }

    /** An I/O failure in a few words: the exception's message, or its class where it has none. */
    static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
