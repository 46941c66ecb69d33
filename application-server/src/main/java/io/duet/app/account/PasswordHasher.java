package io.duet.app.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes (BouncyCastle), stored as PHC strings such as
 * {@code $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>}, so parameters can be raised later without
 * invalidating old hashes. The defaults are OWASP's minimum recommendation. Hashing runs on the given
 * executor, never on an event loop or a couple's executor. Passwords are never logged.
 */
public final class PasswordHasher {
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

    private final int memoryKib;
    private final int iterations;
    private final int parallelism;
    private final Executor executor;
    private final SecureRandom random = new SecureRandom();
    /** Verified against when an email is unknown, so that the answer takes as long as for a known one. */
    private final String decoy;

    public PasswordHasher(int memoryKib, int iterations, int parallelism, Executor executor) {
        this.memoryKib = memoryKib;
        this.iterations = iterations;
        this.parallelism = parallelism;
        this.executor = executor;
        this.decoy = hashNow("decoy-password-" + random.nextLong());
    }

    public static PasswordHasher withDefaults(Executor executor) {
        return new PasswordHasher(19 * 1024, 2, 1, executor);
    }

    public CompletableFuture<String> hash(String password) {
        return onExecutor(() -> hashNow(password));
    }

    /** Whether {@code password} matches {@code encoded}; a null {@code encoded} never matches but costs the same. */
    public CompletableFuture<Boolean> verify(String password, String encoded) {
        return onExecutor(() -> {
            if (encoded == null) {
                verifyNow(password, decoy);
                return false;
            }
            return verifyNow(password, encoded);
        });
    }

    /** Runs on the hashing executor; a full queue fails the future (the client is told to retry later). */
    private <T> CompletableFuture<T> onExecutor(java.util.function.Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, executor);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    String hashNow(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = derive(password, salt, memoryKib, iterations, parallelism, HASH_BYTES);
        return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + '$'
                + B64.encodeToString(salt) + '$' + B64.encodeToString(hash);
    }

    static boolean verifyNow(String password, String encoded) {
        try {
            return matches(password, encoded);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean matches(String password, String encoded) {
        String[] parts = encoded.split("\\$");
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        int memory = 0;
        int time = 0;
        int lanes = 0;
        for (String parameter : parts[3].split(",")) {
            String[] kv = parameter.split("=", 2);
            if (kv.length != 2) {
                return false;
            }
            int value = Integer.parseInt(kv[1]);
            switch (kv[0]) {
                case "m":
                    memory = value;
                    break;
                case "t":
                    time = value;
                    break;
                case "p":
                    lanes = value;
                    break;
                default:
                    return false;
            }
        }
        byte[] salt = B64_DECODER.decode(parts[4]);
        byte[] expected = B64_DECODER.decode(parts[5]);
        byte[] actual = derive(password, salt, memory, time, lanes, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
            int length) {
        Argon2Parameters parameters = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib)
                .withIterations(iterations)
                .withParallelism(parallelism)
                .withSalt(salt)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(parameters);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
