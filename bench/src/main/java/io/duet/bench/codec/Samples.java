package io.duet.bench.codec;

import java.util.List;

/**
 * A fixed set of {@link ChatSamples} (texts of the mix with a mean of 200 characters, as in the load
 * benchmarks) that a benchmark cycles through, so that each operation sees a different, realistic message
 * rather than one size the JIT could specialise for. One per benchmark thread.
 */
final class Samples {
    /** How many messages a benchmark cycles through; a power of two. */
    static final int COUNT = 256;
    /** The mean text length, in characters. */
    static final int MEAN_TEXT_LENGTH = 200;
    private static final long SEED = 42;

    private final List<ChatSamples.Sample> samples = new ChatSamples(SEED, MEAN_TEXT_LENGTH).next(COUNT);
    private int index;

    ChatSamples.Sample get(int i) {
        return samples.get(i);
    }

    /** The index of the next sample, cycling. */
    int nextIndex() {
        index = (index + 1) & (COUNT - 1);
        return index;
    }

    ChatSamples.Sample next() {
        return samples.get(nextIndex());
    }
}
