package io.duet.hbase.fence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The fence decision for one batch of mutations, in order, as pure logic: a mutation that carries an
 * expected fence value ({@link FenceObserver#ATTRIBUTE}) is admitted only if its row's fence cell holds
 * exactly that value, counting what the mutations admitted before it in the same batch write. So two
 * writes that expect the same value cannot both pass, even in one batch.
 *
 * <p>The stored value is read at most once per row ({@link Reader}); the caller holds the rows exclusively
 * from the first read until the batch is written. Not thread-safe: one ledger per batch.
 */
final class FenceLedger {
    /** Reads a row's stored fence cell; null when it has none. */
    interface Reader {
        byte[] read(byte[] row) throws IOException;
    }

    /** What a mutation does to its row's fence cell. */
    enum Effect {
        /** Leaves it as it is. */
        KEEPS,
        /** Writes a new value (given). */
        WRITES,
        /** May delete it (a delete of any kind): later fenced writes in the batch are refused. */
        DELETES
    }

    private final Reader reader;
    /** Rows with a known fence value: read, or written by a mutation admitted earlier in this batch. */
    private final Map<ByteBuffer, Value> known = new HashMap<>();

    FenceLedger(Reader reader) {
        this.reader = reader;
    }

    /**
     * Decides one mutation and, if admitted, records its effect for the mutations after it.
     *
     * @param expected the fence value the mutation requires; null for an unfenced mutation (always admitted)
     * @param written the value it writes, for {@link Effect#WRITES}; otherwise ignored
     * @return null if admitted; otherwise why it was refused
     */
    String admit(byte[] row, byte[] expected, Effect effect, byte[] written) throws IOException {
        ByteBuffer key = ByteBuffer.wrap(row);
        if (expected != null) {
            Value current = known.get(key);
            if (current == null) {
                current = new Value(reader.read(row));
                known.put(key, current);
            }
            if (current.bytes == null || !Arrays.equals(expected, current.bytes)) {
                return current.bytes == null ? "the row has no fence cell" : "the row's fence moved on";
            }
        }
        switch (effect) {
            case WRITES:
                known.put(key, new Value(written.clone()));
                break;
            case DELETES:
                known.put(key, new Value(null));
                break;
            default:
                break;
        }
        return null;
    }

    /** A row's fence value, null for none. */
    private static final class Value {
        final byte[] bytes;

        Value(byte[] bytes) {
            this.bytes = bytes;
        }
    }
}
