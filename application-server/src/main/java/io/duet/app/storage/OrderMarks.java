package io.duet.app.storage;

import io.duet.app.storage.CoupleStore.OrderKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.filter.ColumnPrefixFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The order streams' marks a new owner reads beside its claim, so that the first send of each stream
 * after a move needs no read of its own. Only the streams written recently, and at most {@link
 * #MAX_STREAMS} of them: the streams of the clients that are sending now. Any other stream is read when
 * its first send comes, as before.
 */
final class OrderMarks {
    /** Streams written longer ago than this are not read with the claim. */
    static final Duration RECENT = Duration.ofHours(1);
    /** At most this many streams' marks are read with the claim. */
    static final int MAX_STREAMS = 256;

    private OrderMarks() {
    }

    /** The read: the order-stream cells of the dedup family written since {@code nowMillis - RECENT}. */
    static Get recentMarks(byte[] row, long nowMillis) {
        try {
            return new Get(row).addFamily(HBaseSchema.DEDUP)
                    .setFilter(new ColumnPrefixFilter(new byte[] {CoupleStore.ORDER_PREFIX}))
                    .setTimeRange(Math.max(0, nowMillis - RECENT.toMillis()), Long.MAX_VALUE)
                    .setMaxResultsPerColumnFamily(MAX_STREAMS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The marks in {@code result}, by stream; cells that are not a stream's mark are left out. */
    static Map<OrderKey, Long> parse(Result result) {
        Map<OrderKey, Long> marks = new HashMap<>();
        NavigableMap<byte[], byte[]> cells = result.getFamilyMap(HBaseSchema.DEDUP);
        if (cells == null) {
            return marks;
        }
        cells.forEach((qualifier, value) -> {
            OrderKey key = keyOf(qualifier);
            if (key != null && value.length == Long.BYTES) {
                marks.put(key, Bytes.toLong(value));
            }
        });
        return marks;
    }

    /** The stream whose mark {@code qualifier} names, or null if it names none. */
    static OrderKey keyOf(byte[] qualifier) {
        if (qualifier.length <= 1 + Long.BYTES || qualifier[0] != CoupleStore.ORDER_PREFIX) {
            return null;
        }
        return new OrderKey(Bytes.toLong(qualifier, 1),
                new String(qualifier, 1 + Long.BYTES, qualifier.length - 1 - Long.BYTES, StandardCharsets.UTF_8));
    }
}
