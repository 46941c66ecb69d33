package io.duet.app.account;

import com.nulabinc.zxcvbn.Feedback;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import io.duet.app.rpc.ApiErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Which new passwords are accepted, beyond their length ({@link Credentials#password}): those that
 * <a href="https://github.com/nulab/zxcvbn4j">zxcvbn4j</a> (a port of Dropbox's zxcvbn, with its bundled
 * lists of the 30,000 most common passwords, common English words, names and surnames) estimates take at
 * least {@code 10^minGuessesLog10} guesses. A listed password, and one made of a listed password or word
 * with a capital, l33t substitutions, reversal or a few digits added, falls short, as do keyboard rows,
 * repeats, sequences, dates and the user's own email or name. Only the first {@value #JUDGED_CHARS}
 * characters are judged: the estimate's cost grows fast with length (seconds at 1,000 characters).
 *
 * <p>A check costs milliseconds of CPU (up to a few hundred for a pathological 64 characters), so it runs on
 * the password executor beside the Argon2 hashes, never on an event loop. Every new password (sign-up; a
 * future password change too) goes through {@link #check}.
 */
public final class PasswordPolicy {
    /** 10^6 guesses: zxcvbn's score 2, "protection from throttled online attacks". */
    public static final int DEFAULT_MIN_GUESSES_LOG10 = 6;
    static final int JUDGED_CHARS = 64;

    private final Zxcvbn zxcvbn;
    private final int minGuessesLog10;
    private final double minGuesses;
    private final Executor executor;

    /** Loads the dictionaries (about 10 MB, half a second): make one per process. */
    public PasswordPolicy(int minGuessesLog10, Executor executor) {
        if (minGuessesLog10 < 0 || minGuessesLog10 > 20) {
            throw new IllegalArgumentException("minGuessesLog10: " + minGuessesLog10 + " (expected: 0 to 20)");
        }
        this.minGuessesLog10 = minGuessesLog10;
        this.minGuesses = Math.pow(10, minGuessesLog10);
        this.executor = executor;
        this.zxcvbn = new Zxcvbn();
    }

    /**
     * Completes if {@code password} may be used by the user of {@code email} and {@code displayName}; else
     * fails with INVALID_ARGUMENT saying why. A full executor queue fails it with the rejection.
     */
    public CompletableFuture<Void> check(String password, String email, String displayName) {
        try {
            return CompletableFuture.supplyAsync(() -> refusal(password, email, displayName), executor)
                    .thenCompose(refusal -> refusal == null ? CompletableFuture.completedFuture(null)
                            : CompletableFuture.failedFuture(ApiErrors.invalidArgument(refusal)));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Why {@code password} is refused (the client's message), or null if it is accepted. */
    String refusal(String password, String email, String displayName) {
        String judged = password.length() > JUDGED_CHARS ? password.substring(0, JUDGED_CHARS) : password;
        Strength strength = zxcvbn.measure(judged, userWords(email, displayName));
        if (strength.getGuesses() >= minGuesses) {
            return null;
        }
        Feedback feedback = strength.getFeedback();
        StringBuilder why = new StringBuilder("password: too easy to guess (fewer than 10^")
                .append(minGuessesLog10).append(" guesses");
        String warning = feedback.getWarning(Locale.ENGLISH);
        if (warning != null && !warning.isEmpty()) {
            why.append(": ").append(warning);
        }
        why.append(')');
        for (String suggestion : feedback.getSuggestions(Locale.ENGLISH)) {
            why.append(' ').append(suggestion);
        }
        return why.toString();
    }

    /** What a guesser of this user's password would try first: the email, its parts and the name's words. */
    static List<String> userWords(String email, String displayName) {
        List<String> words = new ArrayList<>();
        if (email != null) {
            words.add(email);
            addWords(words, email);
        }
        if (displayName != null) {
            addWords(words, displayName);
        }
        return words;
    }

    private static void addWords(List<String> words, String text) {
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() >= 3) {
                words.add(word);
            }
        }
    }
}
