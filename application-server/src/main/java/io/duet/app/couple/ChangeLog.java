package io.duet.app.couple;

import io.duet.protocol.storage.StoredChanges;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A couple's change log: which message each of its newest edits and deletes changed, by change number, so
 * that a device that was away can be sent the changes it missed ({@link #select}). The owner numbers the
 * changes, one at a time, from 1; the log keeps the newest {@code keep} of them (older ones are forgotten,
 * and a client whose cursor is older is told so). It is one cell of the couple's row ({@code
 * StoredChanges}), written with each change in the same fenced write as the changed message ({@link
 * #next}, then {@link #recorded} once written), so a deposed owner cannot number a change and a new owner
 * continues from the last number written. Pure logic; confined to the couple's executor.
 */
final class ChangeLog {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeLog.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    /** One change to replay: message {@code seq}, whose latest change is {@code change}. */
    record Change(long seq, long change) {
    }

    /**
     * What a resuming client is sent: {@code changes}, oldest first; {@code lost} when changes after its
     * cursor are no longer kept (it then refetches what it shows), {@code oldestKept} being the oldest kept.
     */
    record Replay(List<Change> changes, boolean lost, long oldestKept) {
    }

    private final long coupleId;
    private final int keep;
    private long lastChange;
    /** The messages changed by changes {@code lastChange - seqs.size() + 1 .. lastChange}, oldest first. */
    private final ArrayDeque<Long> seqs = new ArrayDeque<>();
    /** The cell as last read or written (null: none), re-read by {@link #next} to keep a newer release's fields. */
    private byte[] cell;

    /** @param keep how many of the newest changes are kept (at least 1) */
    ChangeLog(long coupleId, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep: " + keep + " (expected: >= 1)");
        }
        this.coupleId = coupleId;
        this.keep = keep;
    }

    /**
     * Starts from the stored cell (null: no change yet). An unreadable cell starts from none: numbers then
     * restart, and clients whose cursor is ahead are told their changes may be lost.
     */
    void load(byte[] stored) {
        seqs.clear();
        lastChange = 0;
        cell = null;
        if (stored == null) {
            return;
        }
        try {
            StoredChanges record = CODEC.decode(stored, new StoredChanges());
            lastChange = record.getLastChange();
            List<Long> kept = record.isSetSeqs() ? record.getSeqs() : List.of();
            // A smaller keep than the writer's: the oldest are forgotten now.
            seqs.addAll(kept.subList(Math.max(0, kept.size() - keep), kept.size()));
            cell = stored;
        } catch (MalformedPayloadException e) {
            LOG.error("Couple {}: unreadable change log in HBase, starting from none: {}", coupleId, e.toString());
        }
    }

    /** The newest change number; 0 for none. */
    long lastChange() {
        return lastChange;
    }

    /** The oldest change number kept; {@link #lastChange()} + 1 when none is. */
    long oldestKept() {
        return lastChange - seqs.size() + 1;
    }

    /** The cell with one more change, of message {@code seq}, numbered {@code lastChange() + 1}; the log is unchanged. */
    byte[] next(long seq, long fence) {
        List<Long> after = new ArrayList<>(seqs.size() + 1);
        after.addAll(seqs);
        after.add(seq);
        List<Long> kept = after.subList(Math.max(0, after.size() - keep), after.size());
        UnknownFields unknown = new UnknownFields();
        StoredChanges record = new StoredChanges();
        if (cell != null) {
            try {
                record = CODEC.decodeKeepingUnknown(cell, record, unknown);
            } catch (MalformedPayloadException e) {
                throw new IllegalStateException("the change log read before is unreadable now", e);
            }
        }
        return CODEC.encodeKeepingUnknown(record.setLastChange(lastChange + 1).setSeqs(new ArrayList<>(kept))
                .setFence(fence), unknown);
    }

    /**
     * {@code written}, the cell of {@link #next} for a change of message {@code seq}, was written: the change
     * is numbered; returns its number.
     */
    long recorded(long seq, byte[] written) {
        cell = written;
        seqs.addLast(seq);
        while (seqs.size() > keep) {
            seqs.removeFirst();
        }
        return ++lastChange;
    }

    /**
     * The changes to send a client that has applied every change up to {@code afterChange} and holds the
     * messages up to {@code afterSeq}: each message at or below {@code afterSeq} changed after {@code
     * afterChange}, once, with its latest change, in change order. Messages after {@code afterSeq} are not
     * included: the client gets them whole, as they are now. A cursor older than the kept changes, or ahead
     * of the newest (a log that was lost), is reported {@code lost}.
     */
    Replay select(long afterChange, long afterSeq) {
        long oldest = oldestKept();
        boolean lost = afterChange < oldest - 1 || afterChange > lastChange;
        long from = Math.max(afterChange + 1, oldest);
        Map<Long, Long> latest = new HashMap<>();
        long change = oldest;
        for (long seq : seqs) {
            if (change >= from && seq <= afterSeq) {
                latest.put(seq, change);
            }
            change++;
        }
        List<Change> changes = new ArrayList<>(latest.size());
        latest.forEach((seq, number) -> changes.add(new Change(seq, number)));
        changes.sort(Comparator.comparingLong(Change::change));
        return new Replay(changes, lost, oldest);
    }
}
