package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
    private static final List<String> VALUED = List.of("--runs", "--rate", "--duration", "--local");
    private static final List<String> FLAGS = List.of("--quiet");

    @Test
    void givenOptionsAreTypedAndOthersTakeTheirDefault() {
        BenchOptions options = BenchOptions.parse(
                new String[] {"--runs", "5", "--quiet", "--duration", "2.5", "--local", "/tmp/c"}, VALUED, FLAGS);

        assertThat(options.help()).isFalse();
        assertThat(options.integer("--runs", 3)).isEqualTo(5);
        assertThat(options.decimal("--rate", 200)).isEqualTo(200);
        assertThat(options.seconds("--duration", Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(2500));
        assertThat(options.path("--local", null)).isEqualTo(Path.of("/tmp/c"));
        assertThat(options.has("--quiet")).isTrue();
        assertThat(options.string("--rate", null)).isNull();
    }

    @Test
    void helpIsSeenAmongOtherOptions() {
        assertThat(BenchOptions.parse(new String[] {"--runs", "5", "-h"}, VALUED, FLAGS).help()).isTrue();
        assertThat(BenchOptions.parse(new String[] {"--help"}, VALUED, FLAGS).help()).isTrue();
    }

    @Test
    void everyMistakeNamesItsOption() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--runs"}, VALUED, FLAGS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--runs needs a value");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--color", "red"}, VALUED, FLAGS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown option --color");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--runs", "1", "--runs", "2"}, VALUED, FLAGS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--runs is given twice");
        BenchOptions malformed = BenchOptions.parse(new String[] {"--runs", "three", "--rate", "fast"}, VALUED, FLAGS);
        assertThatThrownBy(() -> malformed.integer("--runs", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--runs: not a whole number: three");
        assertThatThrownBy(() -> malformed.decimal("--rate", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--rate: not a number: fast");
    }
}
