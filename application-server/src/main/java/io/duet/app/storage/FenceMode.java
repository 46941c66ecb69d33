package io.duet.app.storage;

import java.util.Locale;

/**
 * How a couple's commit is fenced ({@code hbase.fence}). Both write the same cells and give the same
 * outcomes (a commit whose fence or last sequence moved fails with {@link FencedException}); they differ in
 * what HBase does per commit.
 */
public enum FenceMode {
    /**
     * One {@code checkAndMutate} per commit, many in one multi-request: HBase runs each on its own (row
     * lock, condition read, write-ahead log append and sync). The default.
     */
    CHECK_AND_MUTATE("check-and-mutate"),
    /**
     * Plain puts in one batch, each carrying the writer cell it expects; the {@code FenceObserver} region
     * coprocessor (deploy/hbase-fence, which must be on the region servers' classpath) checks it under an
     * exclusive row lock and writes the batch's admitted puts together. Tables are created with the
     * coprocessor, and a server refuses to start against a couples table without it.
     */
    COPROCESSOR("coprocessor");

    /** The setting's name. */
    public static final String SETTING = "hbase.fence";
    public static final FenceMode DEFAULT = CHECK_AND_MUTATE;

    private final String value;

    FenceMode(String value) {
        this.value = value;
    }

    /** The setting's value for this mode. */
    public String value() {
        return value;
    }

    /** The mode a setting's value names. */
    public static FenceMode parse(String value) {
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        for (FenceMode mode : values()) {
            if (mode.value.equals(normalized)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(SETTING + ": " + value + " (expected: check-and-mutate or coprocessor)");
    }
}
