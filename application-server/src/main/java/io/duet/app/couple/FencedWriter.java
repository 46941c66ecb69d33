package io.duet.app.couple;

/**
 * What every part of a couple that writes its row needs from the actor: the fence value the row was claimed
 * with, whether this server may write now, and what to do when a write fails. Each part ({@link SendPipeline},
 * {@link CoupleSpace}, {@link ReadMarks}, {@link MessageChanges}) checks {@link #writable()} before a write,
 * writes under {@link #fence()}, and on a failed write (fenced by a newer owner, or its outcome unknown)
 * calls {@link #failed}: the couple unloads, and the next load reads the truth back from HBase. Confined to
 * the couple's executor.
 */
interface FencedWriter {
    /** The fence value the couple's row was claimed with. */
    long fence();

    /** Whether this server may write the couple now (it is loaded, and owns and may serve it). */
    boolean writable();

    /**
     * A write failed, or its outcome is unknown: the couple unloads. {@code what} names the write in the
     * logs ("commit", "message edit", ...).
     */
    void failed(String what, Throwable cause);

    /**
     * A read or write of HBase that the part counts as under way ended, whatever its outcome: a closed couple
     * may leave the registry now. Every part calls it when one ends, or the couple stays "being reloaded"
     * until its retire timeout ({@link Retirement}).
     */
    void ended();
}
