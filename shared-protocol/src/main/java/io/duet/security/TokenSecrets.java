package io.duet.security;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The secrets that sign session tokens, read from {@code token.secret-file} (a file only its owner can
 * read) or {@code token.secret}, and {@code token.previous-secrets}. A server refuses to start, saying
 * why, when a secret is missing, sits in a file others can read (the secret file, or the settings file
 * when a secret is written there), is the shipped placeholder ({@code CHANGE-ME}), or looks guessable: fewer
 * than {@value #MIN_SECRET_CHARS} characters, or under {@value #MIN_ENTROPY_BITS} bits by the
 * estimate of {@link #estimatedBits(String)}.
 */
public final class TokenSecrets {
    public static final String SECRET = "token.secret";
    public static final String SECRET_FILE = "token.secret-file";
    public static final String PREVIOUS = "token.previous-secrets";
    /** HMAC-SHA256 wants 256 bits of key; as text, at least this many characters. */
    public static final int MIN_SECRET_CHARS = 32;
    /** A secret must carry at least this much entropy by {@link #estimatedBits(String)}. */
    public static final int MIN_ENTROPY_BITS = 128;
    /** Marks the example settings' value; no real secret contains it. */
    static final String PLACEHOLDER = "CHANGE-ME";
    private static final String HOW_TO_MAKE_ONE = "make one with: openssl rand -base64 48";

    private final String current;
    private final List<String> previous;

    private TokenSecrets(String current, List<String> previous) {
        this.current = current;
        this.previous = previous;
    }

    /** The checked secrets of {@code settings}. */
    public static TokenSecrets from(Settings settings) {
        String current;
        if (settings.has(SECRET_FILE)) {
            if (settings.has(SECRET)) {
                throw new SettingsException(SECRET + " and " + SECRET_FILE + " are both set (expected: one of them)");
            }
            Path file = Path.of(settings.string(SECRET_FILE));
            current = SecretFiles.readPrivate(SECRET_FILE, file);
            check(SECRET_FILE + " (" + file + ")", current);
        } else if (settings.has(SECRET)) {
            current = settings.string(SECRET);
            check(SECRET, current);
            settings.fileOf(SECRET).ifPresent(file -> checkPrivateSettings(SECRET, file));
        } else {
            throw new SettingsException(SECRET_FILE + ": missing (set it, or " + SECRET + ", in the settings file or as "
                    + Settings.environmentVariableOf(SECRET_FILE) + "; " + HOW_TO_MAKE_ONE + ")");
        }
        List<String> previous = settings.list(PREVIOUS);
        for (int i = 0; i < previous.size(); i++) {
            check(PREVIOUS + " (item " + (i + 1) + ")", previous.get(i));
        }
        if (!previous.isEmpty()) {
            settings.fileOf(PREVIOUS).ifPresent(file -> checkPrivateSettings(PREVIOUS, file));
        }
        return new TokenSecrets(current, previous);
    }

    /** Refuses a secret written in a settings file that others may read, as a secret file would be. */
    private static void checkPrivateSettings(String key, Path file) {
        try {
            SecretFiles.checkPrivate(key, file);
        } catch (SettingsException e) {
            throw new SettingsException(key + " is set in " + file + ", which other users can read: move it to a file"
                    + " only the server's user can read and name that in " + SECRET_FILE + " (or chmod 600 " + file
                    + "); " + e.getMessage(), e);
        }
    }

    /** Refuses {@code secret}, read from {@code source}, if it is a placeholder or guessable. */
    static void check(String source, String secret) {
        if (secret.toUpperCase(Locale.ROOT).contains(PLACEHOLDER)) {
            throw new SettingsException(source + ": still the example placeholder (contains " + PLACEHOLDER
                    + "); " + HOW_TO_MAKE_ONE);
        }
        int length = secret.getBytes(StandardCharsets.UTF_8).length;
        if (length < MIN_SECRET_CHARS) {
            throw new SettingsException(source + ": " + length + " bytes long (expected: at least " + MIN_SECRET_CHARS
                    + "); " + HOW_TO_MAKE_ONE);
        }
        double bits = estimatedBits(secret);
        if (bits < MIN_ENTROPY_BITS) {
            throw new SettingsException(String.format(Locale.ROOT,
                    "%s: low entropy, about %.0f bits from %d distinct characters (expected: at least %d bits); %s",
                    source, bits, secret.chars().distinct().count(), MIN_ENTROPY_BITS, HOW_TO_MAKE_ONE));
        }
    }

    /**
     * An estimate of the entropy of {@code secret} in bits: its length times the Shannon entropy of its
     * character frequencies. Repeats and small alphabets score low; it cannot see that a sentence is
     * guessable, so it is a floor against mistakes, not proof of randomness.
     */
    public static double estimatedBits(String secret) {
        Map<Integer, Integer> counts = new HashMap<>();
        secret.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        double length = secret.codePoints().count();
        double perChar = 0;
        for (int count : counts.values()) {
            double p = count / length;
            perChar -= p * Math.log(p) / Math.log(2);
        }
        return perChar * length;
    }

    /** Signs new tokens. */
    public String current() {
        return current;
    }

    /** Still verify tokens signed before a rotation. */
    public List<String> previous() {
        return previous;
    }
}
