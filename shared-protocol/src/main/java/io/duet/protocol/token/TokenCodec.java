package io.duet.protocol.token;

import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and verifies session tokens of the form {@code v1.<keyId>.<claims>.<signature>}: compact
 * Thrift {@link TokenClaims}, base64url, signed with HMAC-SHA256 under a cluster secret.
 *
 * <p>Secrets rotate without logging anyone out: new tokens are signed with the current secret, and
 * tokens signed with a previous secret still verify until they expire. The key id in a token is a
 * fingerprint of its secret, never the secret. Immutable and thread-safe.
 */
public final class TokenCodec {
    /** Longer strings are rejected before any decoding. */
    public static final int MAX_TOKEN_CHARS = 1024;
    /** Secrets shorter than this are refused: HMAC-SHA256 wants 256 bits of key. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();
    private static final ThriftCodec CLAIMS_CODEC = new ThriftCodec(ThriftLimits.of(MAX_TOKEN_CHARS, 0, 4));

    private final String signingKeyId;
    private final Map<String, Mac> macsByKeyId;
    private final Clock clock;

    private TokenCodec(String signingKeyId, Map<String, Mac> macsByKeyId, Clock clock) {
        this.signingKeyId = signingKeyId;
        this.macsByKeyId = macsByKeyId;
        this.clock = clock;
    }

    /**
     * @param currentSecret signs new tokens and verifies them
     * @param previousSecrets still verify tokens, during a rotation
     */
    public static TokenCodec create(String currentSecret, List<String> previousSecrets, Clock clock) {
        Objects.requireNonNull(currentSecret, "currentSecret");
        Objects.requireNonNull(previousSecrets, "previousSecrets");
        Map<String, Mac> macs = new LinkedHashMap<>();
        String signingKeyId = keyIdOf(currentSecret);
        macs.put(signingKeyId, macFor(currentSecret));
        for (String previous : previousSecrets) {
            macs.putIfAbsent(keyIdOf(previous), macFor(previous));
        }
        return new TokenCodec(signingKeyId, Map.copyOf(macs), Objects.requireNonNull(clock, "clock"));
    }

    /** A signed token carrying {@code claims}. */
    public String issue(TokenClaims claims) {
        String signed = VERSION + '.' + signingKeyId + '.' + BASE64.encodeToString(CLAIMS_CODEC.encode(claims));
        return signed + '.' + BASE64.encodeToString(sign(macsByKeyId.get(signingKeyId), signed));
    }

    /** The claims of a token signed by this cluster and not expired. */
    public TokenClaims verify(String token) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(TokenException.Reason.MALFORMED, "no token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenException(TokenException.Reason.MALFORMED,
                    "token of " + token.length() + " characters exceeds the limit of " + MAX_TOKEN_CHARS);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0])) {
            throw new TokenException(TokenException.Reason.MALFORMED, "not a " + VERSION + " token");
        }
        Mac mac = macsByKeyId.get(parts[1]);
        if (mac == null) {
            throw new TokenException(TokenException.Reason.UNKNOWN_KEY, "token signed with unknown key " + parts[1]);
        }
        byte[] signature;
        byte[] claimBytes;
        try {
            signature = BASE64_DECODER.decode(parts[3]);
            claimBytes = BASE64_DECODER.decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token is not base64url");
        }
        String signed = token.substring(0, token.lastIndexOf('.'));
        if (!MessageDigest.isEqual(sign(mac, signed), signature)) {
            throw new TokenException(TokenException.Reason.BAD_SIGNATURE, "token signature does not match");
        }
        TokenClaims claims;
        try {
            claims = CLAIMS_CODEC.decode(claimBytes, new TokenClaims());
        } catch (MalformedPayloadException e) {
            throw new TokenException(TokenException.Reason.MALFORMED, "token claims unreadable");
        }
        long now = clock.millis();
        if (claims.getExpiresAtMillis() <= now) {
            throw new TokenException(TokenException.Reason.EXPIRED,
                    "token expired " + (now - claims.getExpiresAtMillis()) + " ms ago");
        }
        return claims;
    }

    private static byte[] sign(Mac prototype, String signed) {
        try {
            Mac mac = (Mac) prototype.clone();
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(ALGORITHM + " cannot be cloned", e);
        }
    }

    private static Mac macFor(String secret) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        if (key.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("token secret of " + key.length + " bytes (expected: >= "
                    + MIN_SECRET_BYTES + ")");
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    /** A short public fingerprint of a secret, naming it inside tokens. */
    static String keyIdOf(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("duet-token-key:" + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
