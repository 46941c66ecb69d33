package io.duet.app.couple;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * What one load of a couple knows of one sender's order stream, and the rule that keeps its messages in
 * the order the client asked for: a send is accepted (queued to be stored) only once the send it names
 * as its predecessor ({@code afterOrdinal}) has been; until then it is held. Pure bookkeeping, confined
 * to the couple's executor; {@link SendPipeline} acts on its answers.
 */
final class OrderStream {
    /** Where a send of the stream goes. */
    enum Admission {
        /** Its predecessor is accepted: queue it. */
        ACCEPT,
        /** Its predecessor has not arrived: hold it. */
        HOLD,
        /** Its ordinal was stored before: it is a duplicate if the row has its id, else out of order. */
        MAYBE_STORED,
        /** A later message of the stream is already accepted: storing it now would reorder. */
        OUT_OF_ORDER
    }

    /** The highest ordinal known to be stored. */
    private long committed;
    /** The highest ordinal stored, queued or in a commit. */
    private long accepted;
    /** True while the stream's mark is being read from HBase; sends wait in {@link #waiting}. */
    boolean loading;
    final List<PendingSend> waiting = new ArrayList<>(0);
    /** Sends waiting for their predecessor, by ordinal. */
    private final TreeMap<Long, PendingSend> held = new TreeMap<>();

    long accepted() {
        return accepted;
    }

    /** True while nothing of the stream is known to be stored or accepted. */
    boolean unknown() {
        return accepted == 0;
    }

    /** The highest ordinal the row says is stored (0 for none). */
    void loaded(long mark) {
        committed = Math.max(committed, mark);
        accepted = Math.max(accepted, mark);
    }

    /** @param lookedUp whether the row was already asked about this very send */
    Admission admit(PendingSend send, boolean lookedUp) {
        if (send.ordinal <= accepted) {
            return send.ordinal <= committed && !lookedUp ? Admission.MAYBE_STORED : Admission.OUT_OF_ORDER;
        }
        return send.afterOrdinal <= accepted ? Admission.ACCEPT : Admission.HOLD;
    }

    /**
     * Accepts {@code send}, then every held successor that may follow now, in ordinal order; a held one
     * whose place is taken goes to {@code refused} instead.
     *
     * @return the held sends accepted after it, in order
     */
    List<PendingSend> accept(PendingSend send, List<PendingSend> refused) {
        accepted = send.ordinal;
        List<PendingSend> released = new ArrayList<>();
        boolean progress = true;
        while (progress && !held.isEmpty()) {
            progress = false;
            Iterator<PendingSend> waitingOnes = held.values().iterator();
            while (waitingOnes.hasNext()) {
                PendingSend next = waitingOnes.next();
                if (next.afterOrdinal <= accepted) {
                    waitingOnes.remove();
                    if (next.ordinal <= accepted) {
                        refused.add(next);
                    } else {
                        accepted = next.ordinal;
                        released.add(next);
                        progress = true;
                    }
                }
            }
        }
        return released;
    }

    /** Holds {@code send} for its predecessor; false if another send holds its ordinal. */
    boolean hold(PendingSend send) {
        return held.putIfAbsent(send.ordinal, send) == null;
    }

    /** Whether {@code send} is held for its predecessor. */
    boolean holds(PendingSend send) {
        return held.get(send.ordinal) == send;
    }

    /** Stops holding {@code send} (it waited too long); false if it is no longer held. */
    boolean release(PendingSend send) {
        return held.remove(send.ordinal, send);
    }

    void committed(long ordinal) {
        committed = Math.max(committed, ordinal);
    }

    /** Nothing accepted and unstored will be stored (its sends failed): they may be sent again. */
    void forgetUncommitted() {
        accepted = committed;
    }
}
