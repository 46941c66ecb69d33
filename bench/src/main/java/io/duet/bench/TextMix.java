package io.duet.bench;

import java.util.Random;

/**
 * Chat texts as couples type them: mostly short, some long, words from a small vocabulary in English and
 * Korean with an emoji now and then. Lengths follow a log-normal distribution with the configured mean
 * (in characters), clamped to 1..1000, so that sizes vary as they do in real chats.
 */
public final class TextMix {
    private static final String[] WORDS = {
        "ok", "yes", "no", "love", "you", "miss", "lunch", "dinner", "tonight", "home", "soon", "where", "are",
        "what", "time", "the", "movie", "sleep", "good", "night", "morning", "coffee", "haha", "really", "call",
        "me", "later", "busy", "now", "weekend", "trip", "photo", "cute", "sorry", "thanks", "see", "at", "7",
        "사랑해", "보고싶어", "점심", "뭐해", "ㅋㅋㅋ", "응", "어디야", "잘자", "좋아", "고마워", "❤️", "😂", "🥺", "👍",
    };
    /** The log-normal's sigma: most texts near the median, a tail of long ones. */
    private static final double SIGMA = 0.9;

    private final double mu;

    public TextMix(int meanLength) {
        // mean = exp(mu + sigma^2 / 2)
        this.mu = Math.log(meanLength) - SIGMA * SIGMA / 2;
    }

    /** One text of about a drawn length. */
    public String next(Random random) {
        int length = (int) Math.max(1, Math.min(1000, Math.round(Math.exp(mu + SIGMA * random.nextGaussian()))));
        StringBuilder text = new StringBuilder(length + 16);
        while (text.length() < length) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(WORDS[random.nextInt(WORDS.length)]);
        }
        if (text.length() <= length) {
            return text.toString();
        }
        // Never cut an emoji in half: that would not be valid text.
        int cut = Character.isHighSurrogate(text.charAt(length - 1)) ? length - 1 : length;
        return text.substring(0, Math.max(1, cut));
    }

    /**
     * Prefixes {@code text} with the time it was scheduled, so that its receiver can tell the latency
     * without any shared state: {@code ~<micros since the run began, base 36>|text}.
     */
    static String tagged(long scheduledMicros, String text) {
        return "~" + Long.toString(scheduledMicros, 36) + "|" + text;
    }

    /** The scheduled time in a tagged text, or -1 if it carries none. */
    static long scheduledMicros(String text) {
        if (text == null || text.length() < 3 || text.charAt(0) != '~') {
            return -1;
        }
        int end = text.indexOf('|');
        if (end < 2) {
            return -1;
        }
        try {
            return Long.parseLong(text.substring(1, end), 36);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
