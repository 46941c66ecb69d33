package io.duet.app.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.json.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.duet.app.push.PushSender.Result;
import io.duet.security.SecretFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FcmPushSender} against a local HTTPS endpoint that plays both Google's token endpoint and FCM's
 * HTTP v1 API, and checks what it gets: an RS256 assertion signed by the service account's key, for the
 * messaging scope; then {@code POST /v1/projects/<id>/messages:send} with that bearer token and a JSON
 * message for the device token. It answers {@code UNREGISTERED} (404) for one token and 500 for another.
 */
class FcmPushSenderTest {
    private static final String PROJECT = "duet-test";
    private static final String ACCESS_TOKEN = "ya29.test-access-token";
    private static final String EMAIL = "pusher@duet-test.iam.gserviceaccount.com";

    @TempDir
    Path dir;

    private HttpsServer server;
    private KeyPair account;
    private FcmPushSender sender;
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final List<Map<String, Object>> messages = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        TestTls tls = TestTls.create(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        account = generator.generateKeyPair();
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/token", this::token);
        server.createContext("/v1/", this::send);
        server.start();
        String base = "https://127.0.0.1:" + server.getAddress().getPort();

        Path accountFile = dir.resolve("service-account.json");
        SecretFiles.writePrivate(accountFile, "{\"type\": \"service_account\", \"project_id\": \"" + PROJECT + "\", "
                + "\"private_key_id\": \"key-1\", \"client_email\": \"" + EMAIL + "\", \"private_key\": \""
                + pem(account.getPrivate().getEncoded()).replace("\n", "\\n") + "\", \"token_uri\": \"" + base
                + "/token\"}");
        sender = FcmPushSender.create(FcmSettings.builder().projectId(PROJECT).serviceAccountFile(accountFile)
                .endpoint(URI.create(base)).trustFile(tls.ca()).build(), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
    }

    private void token(HttpExchange exchange) throws IOException {
        tokenRequests.incrementAndGet();
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> fields = new java.util.HashMap<>();
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            fields.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        String problem = checkAssertion(fields);
        if (problem != null) {
            problems.add(problem);
            respond(exchange, 400, "{\"error\": \"invalid_grant\"}");
            return;
        }
        respond(exchange, 200, "{\"access_token\": \"" + ACCESS_TOKEN + "\", \"expires_in\": 3599, "
                + "\"token_type\": \"Bearer\"}");
    }

    private String checkAssertion(Map<String, String> fields) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(fields.get("grant_type"))) {
            return "grant_type " + fields.get("grant_type");
        }
        String[] jwt = fields.getOrDefault("assertion", "").split("\\.");
        if (jwt.length != 3) {
            return "assertion is not a JWT";
        }
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(account.getPublic());
            signature.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return "bad signature";
            }
            Map<String, Object> header = json(Base64.getUrlDecoder().decode(jwt[0]));
            Map<String, Object> claims = json(Base64.getUrlDecoder().decode(jwt[1]));
            if (!"RS256".equals(header.get("alg")) || !"key-1".equals(header.get("kid"))) {
                return "header " + header;
            }
            if (!EMAIL.equals(claims.get("iss")) || !FcmAccessTokens.SCOPE.equals(claims.get("scope"))
                    || !String.valueOf(claims.get("aud")).endsWith("/token")) {
                return "claims " + claims;
            }
            long iat = ((Number) claims.get("iat")).longValue();
            long exp = ((Number) claims.get("exp")).longValue();
            long now = System.currentTimeMillis() / 1000;
            return Math.abs(iat - now) < 60 && exp - iat == 3600 ? null : "times " + claims;
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static Map<String, Object> json(byte[] bytes) throws Exception {
        return new JsonParser().parseJsonObject(new String(bytes, StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private void send(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/v1/projects/" + PROJECT + "/messages:send")
                || !"POST".equals(exchange.getRequestMethod())) {
            problems.add("request " + exchange.getRequestMethod() + " " + exchange.getRequestURI());
            respond(exchange, 404, "{}");
            return;
        }
        if (!("Bearer " + ACCESS_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            problems.add("authorization " + exchange.getRequestHeaders().getFirst("Authorization"));
            respond(exchange, 401, "{\"error\": {\"code\": 401, \"status\": \"UNAUTHENTICATED\"}}");
            return;
        }
        Map<String, Object> message;
        try {
            message = (Map<String, Object>) json(exchange.getRequestBody().readAllBytes()).get("message");
        } catch (Exception e) {
            problems.add("body " + e);
            respond(exchange, 400, "{}");
            return;
        }
        String token = String.valueOf(message.get("token"));
        if (token.startsWith("gone")) {
            respond(exchange, 404, "{\"error\": {\"code\": 404, \"message\": \"Requested entity was not found.\", "
                    + "\"status\": \"NOT_FOUND\", \"details\": [{\"@type\": "
                    + "\"type.googleapis.com/google.firebase.fcm.v1.FcmError\", \"errorCode\": \"UNREGISTERED\"}]}}");
            return;
        }
        if (token.startsWith("broken")) {
            respond(exchange, 500, "{\"error\": {\"code\": 500, \"status\": \"INTERNAL\"}}");
            return;
        }
        messages.add(message);
        respond(exchange, 200, "{\"name\": \"projects/" + PROJECT + "/messages/0:1\"}");
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPushIsAV1MessageWithTheBearerTokenOfTheServiceAccount() throws Exception {
        PushContent content = new PushContent("Duet", "New message", 77, 1234);

        assertThat(sender.send("device-token-1", content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.DELIVERED);
        assertThat(sender.send("device-token-2", content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.DELIVERED);

        assertThat(problems).isEmpty();
        assertThat(tokenRequests).as("the access token is reused").hasValue(1);
        assertThat(messages).hasSize(2);
        Map<String, Object> message = messages.get(0);
        assertThat(message).containsEntry("token", "device-token-1");
        assertThat((Map<String, Object>) message.get("notification"))
                .isEqualTo(Map.of("title", "Duet", "body", "New message"));
        assertThat((Map<String, Object>) message.get("data")).isEqualTo(Map.of("coupleId", "77", "seq", "1234"));
        assertThat((Map<String, Object>) message.get("android")).containsEntry("collapse_key", "duet-77");
    }

    @Test
    void unregisteredIsAnInvalidTokenAndAServerErrorAFailure() throws Exception {
        PushContent content = new PushContent("Duet", "New message", 77, 1);

        assertThat(sender.send("gone-token", content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.TOKEN_INVALID);
        assertThat(sender.send("broken-token", content).get(20, TimeUnit.SECONDS)).isEqualTo(Result.FAILED);
        assertThat(problems).isEmpty();
        assertThat(messages).isEmpty();
    }

    @Test
    void errorBodiesAreReadForTheirCodes() {
        assertThat(FcmPushSender.result(400, "{\"error\": {\"status\": \"INVALID_ARGUMENT\"}}")).isEqualTo(Result.FAILED);
        assertThat(FcmPushSender.result(403, "{\"error\": {\"status\": \"PERMISSION_DENIED\", \"details\": "
                + "[{\"errorCode\": \"UNREGISTERED\"}]}}")).isEqualTo(Result.TOKEN_INVALID);
        assertThat(FcmPushSender.result(502, "<html>bad gateway</html>")).isEqualTo(Result.FAILED);
        assertThat(FcmPushSender.result(404, "<html>no such page</html>")).as("a wrong endpoint drops no token")
                .isEqualTo(Result.FAILED);
    }
}
