package io.duet.app.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordPolicyTest {
    private static final AtomicInteger TASKS = new AtomicInteger();
    /** Counts the tasks it runs, on the calling thread. */
    private static final Executor COUNTING = task -> {
        TASKS.incrementAndGet();
        task.run();
    };
    private static final PasswordPolicy POLICY = new PasswordPolicy(PasswordPolicy.DEFAULT_MIN_GUESSES_LOG10, COUNTING);

    private static String refusal(String password) {
        return POLICY.refusal(password, "ann@example.com", "Ann");
    }

    @ParameterizedTest
    @ValueSource(strings = {"password", "12345678", "iloveyou", "qwertyuiop", "sunshine"})
    void refusesCommonPasswords(String password) {
        assertThat(refusal(password)).startsWith("password: too easy to guess (fewer than 10^6 guesses: This is a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PASSWORD", "Password1", "P@ssw0rd", "p@ssword123", "drowssap", "iloveyou!", "Qwerty123!",
            "1q2w3e4r5t", "monkey123"})
    void refusesCommonPasswordsWithTrivialChanges(String password) {
        // Capitals, l33t, reversal, digits or a symbol added: each multiplies the guesses by a little only.
        assertThat(refusal(password)).startsWith("password: too easy to guess");
    }

    @ParameterizedTest
    @ValueSource(strings = {"aaaaaaaaaaaa", "abcdefgh", "zxcvbnm,./", "19871231"})
    void refusesRepeatsSequencesKeyboardRowsAndDates(String password) {
        assertThat(refusal(password)).startsWith("password: too easy to guess");
    }

    @ParameterizedTest
    @ValueSource(strings = {"correct horse battery staple", "xK9#mP2$vL7q", "purple monkey dishwasher",
            "the right password", "ann's password"})
    void acceptsPasswordsThatTakeManyGuesses(String password) {
        assertThat(refusal(password)).isNull();
    }

    @Test
    void refusesAPasswordMadeOfTheUsersOwnEmailOrName() {
        assertThat(POLICY.refusal("zoltanquist", "zoltan.quist@example.com", "Zed")).startsWith("password: too easy");
        assertThat(POLICY.refusal("zoltanquist", "zq@example.com", "Zoltan Quist")).startsWith("password: too easy");
        assertThat(POLICY.refusal("zoltanquist", "ann@example.com", "Ann")).isNull();
    }

    @Test
    void judgesTheFirst64CharactersOnlySoThatLongPasswordsCostLittle() {
        StringBuilder random = new StringBuilder();
        java.util.Random seeded = new java.util.Random(7);
        while (random.length() < 1024) {
            random.append((char) ('!' + seeded.nextInt(94)));
        }
        long start = System.nanoTime();
        assertThat(refusal(random.toString())).isNull();
        assertThat(refusal("1".repeat(1024))).startsWith("password: too easy");
        // Unbounded, the estimate of 1,024 characters takes seconds.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }

    @Test
    void checkRunsOnTheExecutorAndFailsWithInvalidArgument() {
        int before = TASKS.get();

        assertThatThrownBy(() -> POLICY.check("Password1", "ann@example.com", "Ann").join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(DuetError.class, error -> {
                    assertThat(error.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(error.getMessage()).startsWith("password: too easy to guess");
                });
        POLICY.check("correct horse battery staple", "ann@example.com", "Ann").join();

        assertThat(TASKS.get() - before).isEqualTo(2);
    }

    @Test
    void aFullExecutorFailsTheCheckWithTheRejection() {
        PasswordPolicy full = new PasswordPolicy(6, task -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        });

        assertThat(full.check("correct horse battery staple", "ann@example.com", "Ann"))
                .failsWithin(java.time.Duration.ZERO)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    }

    @Test
    void refusesAThresholdOutOfRange() {
        assertThatThrownBy(() -> new PasswordPolicy(21, COUNTING)).hasMessageContaining("minGuessesLog10: 21");
    }
}
