package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.couple.ChangeLog.Change;
import io.duet.app.couple.ChangeLog.Replay;
import io.duet.protocol.storage.StoredChanges;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.Test;

class ChangeLogTest {
    private static final long FENCE = 7;

    /** Numbers a change of {@code seq} as the edits do: the cell is written, then the change recorded. */
    private static byte[] change(ChangeLog log, long seq) {
        byte[] cell = log.next(seq, FENCE);
        log.recorded(seq, cell);
        return cell;
    }

    @Test
    void changesAreNumberedFromOneAndANewOwnerGoesOnFromTheLastNumberWritten() throws Exception {
        ChangeLog owner = new ChangeLog(1, 10);
        owner.load(null);
        assertThat(owner.lastChange()).isZero();
        change(owner, 4);
        byte[] cell = change(owner, 9);
        assertThat(owner.lastChange()).isEqualTo(2);
        StoredChanges stored = ThriftCodec.INTERNAL.decode(cell, new StoredChanges());
        assertThat(stored.getLastChange()).isEqualTo(2);
        assertThat(stored.getSeqs()).containsExactly(4L, 9L);
        assertThat(stored.getFence()).isEqualTo(FENCE);

        ChangeLog next = new ChangeLog(1, 10);
        next.load(cell);
        assertThat(next.lastChange()).isEqualTo(2);
        assertThat(next.recorded(5, next.next(5, FENCE))).isEqualTo(3);
        assertThat(next.select(0, 100).changes()).containsExactly(new Change(4, 1), new Change(9, 2), new Change(5, 3));
    }

    @Test
    void theCellOfAChangeNotWrittenChangesNothing() {
        ChangeLog log = new ChangeLog(1, 10);
        log.load(null);
        log.next(3, FENCE);
        assertThat(log.lastChange()).isZero();
        assertThat(log.select(0, 100).changes()).isEmpty();
    }

    @Test
    void aResumingClientGetsEachMessageItHasOnceWithItsLatestChangeInChangeOrder() {
        ChangeLog log = new ChangeLog(1, 10);
        log.load(null);
        change(log, 5);  // 1: seen by the client already
        change(log, 3);  // 2
        change(log, 8);  // 3: after the client's last message: comes with the message replay
        change(log, 3);  // 4: the same message again
        change(log, 6);  // 5

        Replay replay = log.select(1, 6);

        assertThat(replay.lost()).isFalse();
        assertThat(replay.changes()).containsExactly(new Change(3, 4), new Change(6, 5));
        assertThat(log.select(5, 6).changes()).isEmpty();
    }

    @Test
    void theLogKeepsItsNewestChangesAndAnOlderCursorIsToldItLostSome() throws Exception {
        ChangeLog log = new ChangeLog(1, 3);
        log.load(null);
        for (long seq = 1; seq <= 5; seq++) {
            change(log, seq);
        }
        assertThat(log.oldestKept()).isEqualTo(3);
        StoredChanges stored = ThriftCodec.INTERNAL.decode(log.next(6, FENCE), new StoredChanges());
        assertThat(stored.getSeqs()).containsExactly(4L, 5L, 6L);

        assertThat(log.select(2, 10)).isEqualTo(new Replay(java.util.List.of(new Change(3, 3), new Change(4, 4),
                new Change(5, 5)), false, 3));
        Replay tooOld = log.select(1, 10);
        assertThat(tooOld.lost()).isTrue();
        assertThat(tooOld.oldestKept()).isEqualTo(3);
        assertThat(tooOld.changes()).extracting(Change::change).containsExactly(3L, 4L, 5L);
    }

    @Test
    void aCursorAheadOfTheLogIsToldItMayHaveLostChanges() {
        ChangeLog log = new ChangeLog(1, 3);
        log.load(null);
        change(log, 1);
        Replay ahead = log.select(9, 10);
        assertThat(ahead.lost()).isTrue();
        assertThat(ahead.changes()).isEmpty();
    }

    @Test
    void aSmallerKeepForgetsTheOldestOnLoad() {
        ChangeLog wide = new ChangeLog(1, 10);
        wide.load(null);
        byte[] cell = null;
        for (long seq = 1; seq <= 6; seq++) {
            cell = change(wide, seq);
        }
        ChangeLog narrow = new ChangeLog(1, 2);
        narrow.load(cell);
        assertThat(narrow.lastChange()).isEqualTo(6);
        assertThat(narrow.oldestKept()).isEqualTo(5);
        assertThat(narrow.select(4, 10).changes()).extracting(Change::seq).containsExactly(5L, 6L);
    }

    @Test
    void anUnreadableCellStartsFromNoneAndClientsAreToldTheyMayHaveLostChanges() {
        ChangeLog log = new ChangeLog(1, 3);
        log.load(new byte[] {(byte) 0xff, 0x01});
        assertThat(log.lastChange()).isZero();
        assertThat(log.select(4, 10).lost()).isTrue();
    }

    @Test
    void aFieldOfANewerReleaseInTheCellSurvivesTheNextChange() throws Exception {
        ChangeLog owner = new ChangeLog(1, 10);
        owner.load(null);
        byte[] cell = change(owner, 4);
        // The cell as a newer release would have written it: with a string field (id 100) this one does not know.
        TMemoryBuffer buffer = new TMemoryBuffer(64);
        TCompactProtocol out = new TCompactProtocol(buffer);
        out.writeStructBegin(new TStruct("StoredChanges"));
        out.writeFieldBegin(new TField("newer", TType.STRING, (short) 100));
        out.writeString("kept");
        out.writeFieldEnd();
        out.writeFieldStop();
        out.writeStructEnd();
        byte[] field = Arrays.copyOf(buffer.getArray(), buffer.length());
        byte[] newer = Arrays.copyOf(cell, cell.length - 1 + field.length);
        System.arraycopy(field, 0, newer, cell.length - 1, field.length);

        ChangeLog next = new ChangeLog(1, 10);
        next.load(newer);
        byte[] written = next.next(5, FENCE);

        assertThat(new String(written, StandardCharsets.ISO_8859_1)).contains("kept");
        assertThat(ThriftCodec.INTERNAL.decode(written, new StoredChanges()).getSeqs()).containsExactly(4L, 5L);
    }
}
