package io.duet.app.storage;

import io.duet.protocol.storage.StoredPushToken;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.filter.ColumnPrefixFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices' push tokens, with the user's data: users row, family {@code u}, one cell per device, qualifier
 * {@code "t:" + device id}, value a {@link StoredPushToken} (compact Thrift). A registration writes its
 * cell whole; nothing is read and written back, so a cell a newer version wrote with more fields keeps
 * them until that device registers again. A token the platform rejected is deleted only while the cell
 * still holds the bytes that were read (not the token encoded again, which would lose a newer release's
 * fields and never match), and only up to the version read (a delete "up to now" would also hide a
 * registration made later within the same millisecond), so a registration that raced the rejection survives.
 */
public final class PushTokenStore implements PushTokens {
    private static final Logger LOG = LoggerFactory.getLogger(PushTokenStore.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    static final byte[] PREFIX = "t:".getBytes(StandardCharsets.UTF_8);

    private final AsyncTable<?> users;

    public PushTokenStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.users = connection.getTable(schema.users(), callbacks);
    }

    @Override
    public CompletableFuture<Void> register(long userId, String deviceId, StoredPushToken token) {
        return users.put(new Put(HBaseSchema.userRow(userId))
                .addColumn(HBaseSchema.USER, qualifier(deviceId), CODEC.encode(token)));
    }

    @Override
    public CompletableFuture<Void> unregister(long userId, String deviceId) {
        return users.delete(new Delete(HBaseSchema.userRow(userId)).addColumns(HBaseSchema.USER, qualifier(deviceId)));
    }

    @Override
    public CompletableFuture<Boolean> dropIfStill(long userId, DeviceToken device) {
        byte[] row = HBaseSchema.userRow(userId);
        byte[] qualifier = qualifier(device.deviceId());
        // Up to the version read, not "up to now": a marker stamped now would also hide a registration made later
        // within the same millisecond.
        return users.checkAndMutate(CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.USER, qualifier, device.stored())
                .build(new Delete(row).addColumns(HBaseSchema.USER, qualifier, device.version())))
                .thenApply(result -> result.isSuccess());
    }

    /** {@inheritDoc} A cell that cannot be read is skipped (and logged). */
    @Override
    public CompletableFuture<List<DeviceToken>> tokens(long userId) {
        return users.get(new Get(HBaseSchema.userRow(userId)).addFamily(HBaseSchema.USER)
                .setFilter(new ColumnPrefixFilter(PREFIX))).thenApply(result -> {
                    List<DeviceToken> tokens = new ArrayList<>();
                    for (Cell cell : result.listCells() == null ? List.<Cell>of() : result.listCells()) {
                        byte[] qualifier = CellUtil.cloneQualifier(cell);
                        byte[] value = CellUtil.cloneValue(cell);
                        String deviceId = new String(Arrays.copyOfRange(qualifier, PREFIX.length, qualifier.length),
                                StandardCharsets.UTF_8);
                        try {
                            tokens.add(new DeviceToken(deviceId, CODEC.decode(value, new StoredPushToken()), value,
                                    cell.getTimestamp()));
                        } catch (MalformedPayloadException e) {
                            LOG.warn("Skipping the unreadable push token of user {} device {}: {}", userId, deviceId,
                                    e.toString());
                        }
                    }
                    return tokens;
                });
    }

    static byte[] qualifier(String deviceId) {
        byte[] device = deviceId.getBytes(StandardCharsets.UTF_8);
        byte[] qualifier = Arrays.copyOf(PREFIX, PREFIX.length + device.length);
        System.arraycopy(device, 0, qualifier, PREFIX.length, device.length);
        return qualifier;
    }
}
