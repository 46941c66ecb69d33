package io.duet.app.account;

import io.duet.app.storage.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Refresh tokens, {@code r1.<userId>.<sessionId>.<secret>}: a random 256-bit secret, naming the stored
 * device session it renews. Only the secret's SHA-256 is stored. The rules of a refresh are pure logic
 * here ({@link #decide}); {@link DeviceSessions} applies them to the store.
 */
final class RefreshTokens {
    /** How many used refresh tokens of a session are remembered, to recognise their reuse. */
    static final int REMEMBERED_USED = 16;
    static final int MAX_CHARS = 200;
    private static final String VERSION = "r1";
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64_DECODER = Base64.getUrlDecoder();

    private RefreshTokens() {
    }

    /** A refresh token, parsed. */
    record Parsed(long userId, String sessionId, byte[] hash) {
    }

    /** What presenting a refresh token to a stored session means. */
    enum Outcome {
        /** The current token, in time: issue the next one. */
        ROTATE,
        /** A token of this session used before: someone holds a copy. End the session. */
        REUSED,
        /** The session ran out before it was refreshed. */
        EXPIRED,
        /** Not a token of this session (forged, or far older than what is remembered). */
        UNKNOWN
    }

    static String newSessionId(SecureRandom random) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return BASE64.encodeToString(id);
    }

    static String newSecret(SecureRandom random) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return BASE64.encodeToString(secret);
    }

    static String format(long userId, String sessionId, String secret) {
        return VERSION + '.' + userId + '.' + sessionId + '.' + secret;
    }

    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The parts of a well-formed refresh token, or empty. */
    static Optional<Parsed> parse(String token) {
        if (token == null || token.length() > MAX_CHARS) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 4 || !VERSION.equals(parts[0]) || parts[2].isEmpty() || parts[3].isEmpty()) {
            return Optional.empty();
        }
        try {
            long userId = Long.parseLong(parts[1]);
            if (userId <= 0 || BASE64_DECODER.decode(parts[3]).length != 32
                    || BASE64_DECODER.decode(parts[2]).length != 16) {
                return Optional.empty();
            }
            return Optional.of(new Parsed(userId, parts[2], hash(parts[3])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static Outcome decide(SessionRecord session, byte[] presentedHash, long nowMillis) {
        if (MessageDigest.isEqual(session.refreshHash(), presentedHash)) {
            return session.expiresAtMillis() <= nowMillis ? Outcome.EXPIRED : Outcome.ROTATE;
        }
        for (byte[] used : session.usedHashes()) {
            if (MessageDigest.isEqual(used, presentedHash)) {
                return Outcome.REUSED;
            }
        }
        return Outcome.UNKNOWN;
    }

    /** The session after a rotation to {@code nextHash}: the current hash joins the used ones. */
    static SessionRecord rotated(SessionRecord session, byte[] nextHash, long expiresAtMillis) {
        List<byte[]> used = new ArrayList<>(session.usedHashes());
        used.add(session.refreshHash());
        while (used.size() > REMEMBERED_USED) {
            used.remove(0);
        }
        return new SessionRecord(session.userId(), session.sessionId(), session.deviceId(), nextHash, used,
                expiresAtMillis);
    }
}
