package io.duet.app.push;

import com.eatthepath.json.JsonParser;
import com.eatthepath.json.JsonSerializer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FCM's HTTP v1 API over the JDK's HTTP client: {@code POST <endpoint>/v1/projects/<project>/messages:send}
 * with a bearer token from {@link FcmAccessTokens} and a JSON message (a notification with the title and
 * body, the couple and sequence number as data, collapsed per couple, high priority on Android). An
 * FCM error {@code UNREGISTERED} or {@code NOT_FOUND} is {@link Result#TOKEN_INVALID}; a 401 drops the access
 * token so that the next push fetches a new one.
 */
final class FcmPushSender implements PushSender {
    private static final Logger LOG = LoggerFactory.getLogger(FcmPushSender.class);

    private final HttpClient http;
    private final FcmAccessTokens tokens;
    private final URI sendUri;
    private final Duration timeout;

    private FcmPushSender(HttpClient http, FcmAccessTokens tokens, URI sendUri, Duration timeout) {
        this.http = http;
        this.tokens = tokens;
        this.sendUri = sendUri;
        this.timeout = timeout;
    }

    static FcmPushSender create(FcmSettings settings, Duration timeout) throws IOException {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
        if (settings.trustFile != null) {
            builder.sslContext(PemTrust.sslContext(settings.trustFile));
        }
        HttpClient http = builder.build();
        return new FcmPushSender(http, FcmAccessTokens.fromServiceAccount(http, settings.serviceAccountFile,
                settings.tokenUri, timeout, Clock.systemUTC()), settings.sendUri(), timeout);
    }

    @Override
    public CompletableFuture<Result> send(String token, PushContent content) {
        return tokens.current().thenCompose(bearer -> http.sendAsync(HttpRequest.newBuilder(sendUri).timeout(timeout)
                .header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body(token, content))).build(),
                HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
                    Result result = result(response.statusCode(), response.body());
                    if (response.statusCode() == 401) {
                        tokens.invalidate(bearer);
                    }
                    if (result == Result.FAILED) {
                        LOG.warn("FCM refused a push: {} {}", response.statusCode(), errorOf(response.body()));
                    }
                    return result;
                })).exceptionally(failure -> {
                    LOG.debug("FCM push failed: {}", failure.toString());
                    return Result.FAILED;
                });
    }

    /** The request body: a v1 {@code Message} for {@code token}. */
    static String body(String token, PushContent content) {
        return JsonSerializer.writeJsonTextAsString(Map.of("message", Map.of(
                "token", token,
                "notification", Map.of("title", content.title(), "body", content.body()),
                "data", Map.of("coupleId", Long.toString(content.coupleId()), "seq", Long.toString(content.seq())),
                "android", Map.of("collapse_key", content.collapseKey(), "priority", "high"))));
    }

    /**
     * How FCM's answer reads: 200 delivered; an error naming UNREGISTERED or NOT_FOUND a dead token; anything
     * else failed. A bare 404 (a wrong endpoint or project, whose body is no FCM error) is a failure: it must
     * not drop every token.
     */
    static Result result(int status, String body) {
        if (status == 200) {
            return Result.DELIVERED;
        }
        String error = errorOf(body);
        return error.contains("UNREGISTERED") || error.contains("NOT_FOUND") ? Result.TOKEN_INVALID : Result.FAILED;
    }

    /** The error's status and FCM error codes, from a v1 error body ("" if it has none). */
    @SuppressWarnings("unchecked")
    static String errorOf(String body) {
        try {
            Object error = new JsonParser().parseJsonObject(body).get("error");
            if (!(error instanceof Map)) {
                return "";
            }
            StringBuilder codes = new StringBuilder(String.valueOf(((Map<String, Object>) error).get("status")));
            Object details = ((Map<String, Object>) error).get("details");
            if (details instanceof List) {
                for (Object detail : (List<Object>) details) {
                    if (detail instanceof Map && ((Map<String, Object>) detail).get("errorCode") != null) {
                        codes.append(' ').append(((Map<String, Object>) detail).get("errorCode"));
                    }
                }
            }
            return codes.toString();
        } catch (ParseException | RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        // The JDK's client has no close before Java 21; its threads end once it is unreachable.
    }
}
