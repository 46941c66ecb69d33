package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.StorageCluster;
import io.duet.protocol.api.PushPlatform;
import io.duet.protocol.storage.StoredPushToken;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users, invites and sessions rows are written cell by cell: a column a newer release added to a row
 * survives every operation of this release that rewrites the row (rolling deploys). Deleting the whole
 * row (an account's deletion, a log-out) is by design and not covered.
 */
class NewerColumnsIT {
    private static final byte[] NEWER = "z:newer".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEWER_VALUE = "a newer release's".getBytes(StandardCharsets.UTF_8);

    private static HBaseSchema schema;
    private static AsyncConnection connection;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshSchema(2);
        connection = StorageCluster.connection();
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static void addNewerColumn(AsyncTable<?> table, byte[] row, byte[] family) throws Exception {
        await(table.put(new Put(row).addColumn(family, NEWER, NEWER_VALUE)));
    }

    private static byte[] newerColumn(AsyncTable<?> table, byte[] row, byte[] family) throws Exception {
        return await(table.get(new Get(row).addColumn(family, NEWER))).getValue(family, NEWER);
    }

    @Test
    void aUserRowKeepsANewerColumnThroughBindingUnbindingAndPushTokens() throws Exception {
        UserStore users = new UserStore(connection, schema, StorageCluster.callbacks());
        PushTokenStore tokens = new PushTokenStore(connection, schema, StorageCluster.callbacks());
        AsyncTable<?> table = connection.getTable(schema.users());
        long userId = 7;
        byte[] row = HBaseSchema.userRow(userId);
        await(users.createUser(userId, "ann@example.com", "Ann", 1000));
        addNewerColumn(table, row, HBaseSchema.USER);

        assertThat(await(users.bindCouple(userId, 70, "CODE1"))).isEqualTo(70);
        assertThat(newerColumn(table, row, HBaseSchema.USER)).as("after binding").isEqualTo(NEWER_VALUE);
        await(users.unbindCouple(userId, 70));
        assertThat(await(users.user(userId)).orElseThrow().coupleId()).isZero();
        assertThat(newerColumn(table, row, HBaseSchema.USER)).as("after unbinding").isEqualTo(NEWER_VALUE);

        await(tokens.register(userId, "phone", new StoredPushToken(PushPlatform.FCM.getValue(), "t1", 1000)));
        assertThat(await(tokens.dropIfStill(userId, await(tokens.tokens(userId)).get(0)))).isTrue();
        await(tokens.register(userId, "phone", new StoredPushToken(PushPlatform.FCM.getValue(), "t2", 2000)));
        await(tokens.unregister(userId, "phone"));
        assertThat(newerColumn(table, row, HBaseSchema.USER)).as("after push tokens").isEqualTo(NEWER_VALUE);
    }

    @Test
    void anInviteRowKeepsANewerColumnThroughItsAcceptanceAndStateChanges() throws Exception {
        InviteStore invites = new InviteStore(connection, schema, StorageCluster.callbacks());
        AsyncTable<?> table = connection.getTable(schema.invites());
        String code = "NEWER1";
        byte[] row = UserStore.utf8(code);
        assertThat(await(invites.create(code, 1, 80, 1000, 2000))).isTrue();
        addNewerColumn(table, row, HBaseSchema.INVITE);

        assertThat(await(invites.claimAcceptor(code, 2))).isEqualTo(2);
        assertThat(await(invites.transition(code, InviteRecord.State.OPEN, InviteRecord.State.COMPLETED)))
                .isEqualTo(InviteRecord.State.COMPLETED);
        assertThat(await(invites.get(code)).orElseThrow().state()).isEqualTo(InviteRecord.State.COMPLETED);
        assertThat(newerColumn(table, row, HBaseSchema.INVITE)).isEqualTo(NEWER_VALUE);
    }

    @Test
    void aSessionRowKeepsANewerColumnThroughTokenRotations() throws Exception {
        SessionStore sessions = new SessionStore(connection, schema, StorageCluster.callbacks());
        AsyncTable<?> table = connection.getTable(schema.sessions());
        byte[] first = hash(1);
        await(sessions.create(new SessionRecord(9, "s1", "phone", first, List.of(), 5000), 1000));
        byte[] row = SessionStore.row(9, "s1");
        addNewerColumn(table, row, HBaseSchema.SESSION);

        byte[] second = hash(2);
        assertThat(await(sessions.rotate(new SessionRecord(9, "s1", "phone", second, List.of(first), 6000), first)))
                .isTrue();
        assertThat(await(sessions.rotate(new SessionRecord(9, "s1", "phone", hash(3), List.of(first, second), 7000),
                second))).isTrue();
        assertThat(await(sessions.get(9, "s1")).orElseThrow().expiresAtMillis()).isEqualTo(7000);
        assertThat(newerColumn(table, row, HBaseSchema.SESSION)).isEqualTo(NEWER_VALUE);
    }

    private static byte[] hash(int seed) {
        byte[] hash = new byte[SessionStore.HASH_BYTES];
        Arrays.fill(hash, (byte) seed);
        return hash;
    }
}
