package io.duet.app.push;

import com.eatthepath.json.JsonParser;
import com.eatthepath.json.JsonSerializer;
import io.duet.security.SecretFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * OAuth2 access tokens for FCM, from a service account key (the JSON file Google issues): a JWT assertion
 * signed with the account's RSA key (RS256), exchanged at the token endpoint (the two-legged flow of
 * RFC 7523). A token is reused until a minute before it expires; one refresh at a time.
 */
final class FcmAccessTokens {
    static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);
    private static final Duration REFRESH_MARGIN = Duration.ofMinutes(1);

    private final HttpClient http;
    private final String clientEmail;
    private final String keyId;
    private final PrivateKey key;
    private final URI tokenUri;
    private final Duration timeout;
    private final Clock clock;

    // Guarded by this.
    private String token;
    private Instant expiresAt = Instant.MIN;
    private CompletableFuture<String> refreshing;

    private FcmAccessTokens(HttpClient http, String clientEmail, String keyId, PrivateKey key, URI tokenUri,
            Duration timeout, Clock clock) {
        this.http = http;
        this.clientEmail = clientEmail;
        this.keyId = keyId;
        this.key = key;
        this.tokenUri = tokenUri;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Reads the service account file; {@code tokenUri} null means the file's {@code token_uri}. */
    static FcmAccessTokens fromServiceAccount(HttpClient http, Path file, URI tokenUri, Duration timeout, Clock clock)
            throws IOException {
        Map<String, Object> account;
        try {
            account = new JsonParser().parseJsonObject(SecretFiles.readPrivate("push.fcm.service-account-file", file));
        } catch (ParseException e) {
            throw new IOException("push.fcm.service-account-file: not JSON", e);
        }
        String email = field(account, "client_email");
        String pem = field(account, "private_key");
        URI uri = tokenUri != null ? tokenUri : URI.create(field(account, "token_uri"));
        Object keyId = account.get("private_key_id");
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            return new FcmAccessTokens(http, email, keyId == null ? null : keyId.toString(), key, uri, timeout, clock);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("push.fcm.service-account-file: private_key is not an RSA key (PKCS#8 PEM)", e);
        }
    }

    private static String field(Map<String, Object> json, String name) throws IOException {
        Object value = json.get(name);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw new IOException("push.fcm.service-account-file: no " + name);
        }
        return (String) value;
    }

    /** A valid access token: the current one, or a new one once it is about to expire. */
    synchronized CompletableFuture<String> current() {
        if (token != null && clock.instant().isBefore(expiresAt.minus(REFRESH_MARGIN))) {
            return CompletableFuture.completedFuture(token);
        }
        if (refreshing != null) {
            return refreshing;
        }
        CompletableFuture<String> refresh = fetch();
        refreshing = refresh;
        refresh.whenComplete((value, failure) -> {
            synchronized (this) {
                if (refreshing == refresh) {
                    refreshing = null;
                }
            }
        });
        return refresh;
    }

    /** Forgets the current token (the API refused it), so that the next call fetches another. */
    synchronized void invalidate(String refused) {
        if (refused.equals(token)) {
            token = null;
        }
    }

    private CompletableFuture<String> fetch() {
        String form = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&assertion=" + URLEncoder.encode(assertion(clock.instant()), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the token endpoint answered " + response.statusCode());
            }
            try {
                Map<String, Object> json = new JsonParser().parseJsonObject(response.body());
                String accessToken = field(json, "access_token");
                Object expiresIn = json.get("expires_in");
                long seconds = expiresIn instanceof Number ? ((Number) expiresIn).longValue() : 3600;
                synchronized (this) {
                    token = accessToken;
                    expiresAt = clock.instant().plusSeconds(seconds);
                }
                return accessToken;
            } catch (ParseException | IOException e) {
                throw new IllegalStateException("the token endpoint's answer has no access_token", e);
            }
        });
    }

    /** The signed JWT that asks for a token. */
    String assertion(Instant now) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        if (keyId != null) {
            header.put("kid", keyId);
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", clientEmail);
        claims.put("scope", SCOPE);
        claims.put("aud", tokenUri.toString());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(ASSERTION_LIFETIME).getEpochSecond());
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String signed = base64.encodeToString(JsonSerializer.writeJsonTextAsString(header).getBytes(StandardCharsets.UTF_8))
                + "." + base64.encodeToString(JsonSerializer.writeJsonTextAsString(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + base64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the service account's key", e);
        }
    }
}
