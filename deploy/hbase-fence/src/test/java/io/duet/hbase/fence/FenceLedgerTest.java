package io.duet.hbase.fence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FenceLedgerTest {
    private static final byte[] ROW = bytes("row-1");
    private static final byte[] OTHER = bytes("row-2");
    private final Map<String, byte[]> stored = new HashMap<>();
    private final List<String> reads = new ArrayList<>();
    private final FenceLedger ledger = new FenceLedger(row -> {
        reads.add(new String(row, StandardCharsets.UTF_8));
        return stored.get(new String(row, StandardCharsets.UTF_8));
    });

    @Test
    void admitsAWriteThatExpectsTheStoredValue() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNull();
    }

    @Test
    void refusesAWriteThatExpectsAnotherValue() throws Exception {
        stored.put("row-1", bytes("f2/5"));
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6")))
                .isEqualTo("the row's fence moved on");
    }

    @Test
    void refusesAFencedWriteToARowWithoutFence() throws Exception {
        assertThat(ledger.admit(ROW, bytes("f1/0"), FenceLedger.Effect.WRITES, bytes("f1/1")))
                .isEqualTo("the row has no fence cell");
    }

    @Test
    void twoWritesExpectingTheSameValueInOneBatchCannotBothPass() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNull();
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/7"))).isNotNull();
    }

    @Test
    void aWriteExpectingWhatAnEarlierOneWroteInTheBatchPasses() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNull();
        assertThat(ledger.admit(ROW, bytes("f1/6"), FenceLedger.Effect.WRITES, bytes("f1/7"))).isNull();
        assertThat(reads).containsExactly("row-1");
    }

    @Test
    void aRefusedWriteChangesNothingForTheWritesAfterIt() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        assertThat(ledger.admit(ROW, bytes("f0/5"), FenceLedger.Effect.WRITES, bytes("f0/6"))).isNotNull();
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNull();
    }

    @Test
    void anUnfencedWriteOfTheFenceCellCountsForLaterWrites() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        // A new owner's claim in the same batch, then the old owner's late commit.
        assertThat(ledger.admit(ROW, null, FenceLedger.Effect.WRITES, bytes("f2/5"))).isNull();
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNotNull();
        assertThat(reads).isEmpty();
    }

    @Test
    void aDeleteRefusesLaterFencedWritesToItsRow() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        assertThat(ledger.admit(ROW, null, FenceLedger.Effect.DELETES, null)).isNull();
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNotNull();
    }

    @Test
    void unfencedWritesThatKeepTheFenceNeedNoRead() throws Exception {
        assertThat(ledger.admit(ROW, null, FenceLedger.Effect.KEEPS, null)).isNull();
        assertThat(reads).isEmpty();
    }

    @Test
    void rowsAreDecidedApart() throws Exception {
        stored.put("row-1", bytes("f1/5"));
        stored.put("row-2", bytes("f9/1"));
        assertThat(ledger.admit(ROW, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNull();
        assertThat(ledger.admit(OTHER, bytes("f1/5"), FenceLedger.Effect.WRITES, bytes("f1/6"))).isNotNull();
        assertThat(ledger.admit(OTHER, bytes("f9/1"), FenceLedger.Effect.WRITES, bytes("f9/2"))).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
