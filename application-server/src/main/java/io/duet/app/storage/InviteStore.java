package io.duet.app.storage;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

/** Invite codes. An invite's acceptor is set once, by a conditional write, so one invite makes one couple. */
public final class InviteStore {
    private final AsyncTable<?> invites;

    public InviteStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.invites = connection.getTable(schema.invites(), callbacks);
    }

    /** Stores a new invite; false if the code is taken (the caller picks another). */
    public CompletableFuture<Boolean> create(String code, long inviterId, long coupleId, long createdAtMillis,
            long expiresAtMillis) {
        byte[] row = UserStore.utf8(code);
        CheckAndMutate create = CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.INVITE, HBaseSchema.INVITER)
                .build(new Put(row)
                        .addColumn(HBaseSchema.INVITE, HBaseSchema.INVITER, Bytes.toBytes(inviterId))
                        .addColumn(HBaseSchema.INVITE, HBaseSchema.COUPLE, Bytes.toBytes(coupleId))
                        .addColumn(HBaseSchema.INVITE, HBaseSchema.CREATED, Bytes.toBytes(createdAtMillis))
                        .addColumn(HBaseSchema.INVITE, HBaseSchema.EXPIRES, Bytes.toBytes(expiresAtMillis))
                        .addColumn(HBaseSchema.INVITE, HBaseSchema.STATE, UserStore.utf8(InviteRecord.State.OPEN.name())));
        return invites.checkAndMutate(create).thenApply(result -> result.isSuccess());
    }

    public CompletableFuture<Optional<InviteRecord>> get(String code) {
        return invites.get(new Get(UserStore.utf8(code)).addFamily(HBaseSchema.INVITE)).thenApply(result -> {
            byte[] inviter = result.getValue(HBaseSchema.INVITE, HBaseSchema.INVITER);
            if (inviter == null) {
                return Optional.empty();
            }
            byte[] state = result.getValue(HBaseSchema.INVITE, HBaseSchema.STATE);
            return Optional.of(new InviteRecord(code, Bytes.toLong(inviter), longValue(result, HBaseSchema.COUPLE),
                    longValue(result, HBaseSchema.EXPIRES), longValue(result, HBaseSchema.ACCEPTOR),
                    state == null ? InviteRecord.State.OPEN
                            : InviteRecord.State.valueOf(new String(state, StandardCharsets.UTF_8))));
        });
    }

    /**
     * Records {@code acceptorId} as the invite's acceptor unless someone else already is.
     *
     * @return the acceptor afterwards: {@code acceptorId} if it won (or already was), else the other one
     */
    public CompletableFuture<Long> claimAcceptor(String code, long acceptorId) {
        byte[] row = UserStore.utf8(code);
        CheckAndMutate claim = CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.INVITE, HBaseSchema.ACCEPTOR)
                .build(new Put(row).addColumn(HBaseSchema.INVITE, HBaseSchema.ACCEPTOR, Bytes.toBytes(acceptorId)));
        return invites.checkAndMutate(claim).thenCompose(result -> result.isSuccess()
                ? CompletableFuture.completedFuture(acceptorId)
                : get(code).thenApply(invite -> invite.map(InviteRecord::acceptorId).orElse(0L)));
    }

    /**
     * Moves the invite from state {@code from} to {@code to}, unless it already left {@code from}.
     * The first transition out of OPEN decides a pairing's fate, once.
     *
     * @return the state afterwards: {@code to} if this call (or an earlier identical one) made it
     */
    public CompletableFuture<InviteRecord.State> transition(String code, InviteRecord.State from, InviteRecord.State to) {
        byte[] row = UserStore.utf8(code);
        CheckAndMutate transition = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.INVITE, HBaseSchema.STATE, UserStore.utf8(from.name()))
                .build(new Put(row).addColumn(HBaseSchema.INVITE, HBaseSchema.STATE, UserStore.utf8(to.name())));
        return invites.checkAndMutate(transition).thenCompose(result -> result.isSuccess()
                ? CompletableFuture.completedFuture(to)
                : get(code).thenApply(invite -> invite.map(InviteRecord::state).orElse(InviteRecord.State.ABORTED)));
    }

    private static long longValue(Result result, byte[] qualifier) {
        byte[] value = result.getValue(HBaseSchema.INVITE, qualifier);
        return value == null ? 0 : Bytes.toLong(value);
    }
}
