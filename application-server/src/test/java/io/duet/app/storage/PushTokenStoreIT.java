package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.StorageCluster;
import io.duet.app.storage.PushTokens.DeviceToken;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.storage.StoredPushToken;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Put;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Push tokens on a real HBase: an invalid token is dropped even when a newer release wrote its cell with
 * a field this release does not know, and a registration that raced the rejection survives, even one
 * stamped with the millisecond after the dropped token's.
 */
class PushTokenStoreIT {
    private static final long USER = 42;
    private static PushTokenStore store;
    private static AsyncTable<?> users;

    @BeforeAll
    static void startHBase() throws Exception {
        HBaseSchema schema = StorageCluster.freshSchema(2);
        store = new PushTokenStore(StorageCluster.connection(), schema, StorageCluster.callbacks());
        users = StorageCluster.connection().getTable(schema.users());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static StoredPushToken token(String value) {
        return new StoredPushToken(PushPlatform.APNS.getValue(), value, 1000);
    }

    @Test
    void anInvalidTokenANewerReleaseWroteIsDropped() throws Exception {
        byte[] newer = NewerRelease.withUnknownField(ThriftCodec.INTERNAL.encode(token("newer-release")));
        assertThat(ThriftCodec.INTERNAL.encode(ThriftCodec.INTERNAL.decode(newer, new StoredPushToken())))
                .as("encoding again loses the newer field").isNotEqualTo(newer);
        await(users.put(new Put(HBaseSchema.userRow(USER))
                .addColumn(HBaseSchema.USER, PushTokenStore.qualifier("tablet"), newer)));

        List<DeviceToken> tokens = await(store.tokens(USER));
        assertThat(tokens).extracting(device -> device.token().getToken()).containsExactly("newer-release");
        assertThat(await(store.dropIfStill(USER, tokens.get(0)))).isTrue();
        assertThat(await(store.tokens(USER))).isEmpty();
    }

    /**
     * The drop deletes the version it read and older ones, not everything up to now: a delete marker
     * stamped with the current millisecond would also hide a registration made later within it. Here the
     * token dropped and the one registered after it are stamped a second in the past, a millisecond apart,
     * which a marker stamped "now" hides.
     */
    @Test
    void aTokenRegisteredAfterTheDropSurvivesEvenWithinTheSameMillisecond() throws Exception {
        long user = USER + 2;
        long stamp = System.currentTimeMillis() - 1000;
        byte[] qualifier = PushTokenStore.qualifier("phone");
        await(users.put(new Put(HBaseSchema.userRow(user))
                .addColumn(HBaseSchema.USER, qualifier, stamp, ThriftCodec.INTERNAL.encode(token("rejected")))));
        DeviceToken read = await(store.tokens(user)).get(0);
        assertThat(read.version()).isEqualTo(stamp);

        assertThat(await(store.dropIfStill(user, read))).isTrue();
        assertThat(await(store.tokens(user))).as("dropped").isEmpty();
        await(users.put(new Put(HBaseSchema.userRow(user))
                .addColumn(HBaseSchema.USER, qualifier, stamp + 1, ThriftCodec.INTERNAL.encode(token("registered")))));
        assertThat(await(store.tokens(user))).extracting(device -> device.token().getToken())
                .containsExactly("registered");
    }

    @Test
    void aRegistrationThatRacedTheRejectionSurvives() throws Exception {
        long user = USER + 1;
        await(store.register(user, "phone", token("old")));
        DeviceToken read = await(store.tokens(user)).get(0);
        await(store.register(user, "phone", token("new")));

        assertThat(await(store.dropIfStill(user, read))).isFalse();
        assertThat(await(store.tokens(user))).extracting(device -> device.token().getToken()).containsExactly("new");
    }
}
