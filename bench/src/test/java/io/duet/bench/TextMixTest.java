package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TextMixTest {
    @Test
    void theScheduleTagSurvivesTheTripAndUntaggedTextsSayNone() {
        String text = TextMix.tagged(123_456_789L, "see you at 7 ❤️");
        assertThat(TextMix.scheduledMicros(text)).isEqualTo(123_456_789L);
        assertThat(text).endsWith("|see you at 7 ❤️");
        assertThat(TextMix.scheduledMicros("hello")).isEqualTo(-1);
        assertThat(TextMix.scheduledMicros("~zz")).isEqualTo(-1);
        assertThat(TextMix.scheduledMicros("~!!|x")).isEqualTo(-1);
        assertThat(TextMix.scheduledMicros(null)).isEqualTo(-1);
    }

    @Test
    void textsAverageTheConfiguredLengthVaryAndAreValidText() {
        TextMix mix = new TextMix(40);
        Random random = new Random(7);
        long total = 0;
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = mix.next(random);
            total += text.length();
            shortest = Math.min(shortest, text.length());
            longest = Math.max(longest, text.length());
            assertThat(Character.isHighSurrogate(text.charAt(text.length() - 1))).as("cut inside an emoji: %s", text)
                    .isFalse();
        }
        assertThat(total / 20_000.0).isBetween(34.0, 46.0);
        assertThat(shortest).isLessThan(10);
        assertThat(longest).isGreaterThan(150);
    }
}
