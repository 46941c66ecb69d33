package io.duet.app.internal;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Secure random numbers that never touch a file once made: a DRBG seeded when it is created (at
 * start-up). The platform default reads /dev/urandom on every call, which is file I/O on the threads that
 * continue after HBase replies, where nothing may block.
 */
public final class SeededRandom {
    private SeededRandom() {
    }

    public static SecureRandom create() {
        try {
            SecureRandom random = SecureRandom.getInstance("DRBG");
            random.nextLong();
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no DRBG SecureRandom in this JVM", e);
        }
    }
}
