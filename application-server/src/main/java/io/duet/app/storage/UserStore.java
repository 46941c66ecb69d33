package io.duet.app.storage;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Users and their logins. A login (email to user id and password hash) is claimed with a conditional
 * write, which is what makes an email unique; a user row without a login pointing at it is unreachable
 * and harmless (a sign-up that died half way).
 */
public final class UserStore {
    private final AsyncTable<?> users;
    private final AsyncTable<?> logins;

    public UserStore(AsyncConnection connection, HBaseSchema schema, ExecutorService callbacks) {
        this.users = connection.getTable(schema.users(), callbacks);
        this.logins = connection.getTable(schema.logins(), callbacks);
    }

    /** A login: the user an email belongs to, and the hash to check the password against. */
    public static final class Login {
        private final long userId;
        private final String passwordHash;

        Login(long userId, String passwordHash) {
            this.userId = userId;
            this.passwordHash = passwordHash;
        }

        public long userId() {
            return userId;
        }

        public String passwordHash() {
            return passwordHash;
        }
    }

    public CompletableFuture<Void> createUser(long userId, String email, String displayName, long createdAtMillis) {
        return users.put(new Put(HBaseSchema.userRow(userId))
                .addColumn(HBaseSchema.USER, HBaseSchema.EMAIL, utf8(email))
                .addColumn(HBaseSchema.USER, HBaseSchema.NAME, utf8(displayName))
                .addColumn(HBaseSchema.USER, HBaseSchema.CREATED, Bytes.toBytes(createdAtMillis)));
    }

    /** Makes {@code email} log in as {@code userId}, unless the email is taken: then returns the existing login. */
    public CompletableFuture<Optional<Login>> claimLogin(String email, long userId, String passwordHash) {
        byte[] row = utf8(email);
        CheckAndMutate claim = CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.LOGIN, HBaseSchema.LOGIN_USER)
                .build(new Put(row)
                        .addColumn(HBaseSchema.LOGIN, HBaseSchema.LOGIN_USER, Bytes.toBytes(userId))
                        .addColumn(HBaseSchema.LOGIN, HBaseSchema.PASSWORD_HASH, utf8(passwordHash)));
        return logins.checkAndMutate(claim).thenCompose(result -> result.isSuccess()
                ? CompletableFuture.completedFuture(Optional.<Login>empty())
                : login(email));
    }

    public CompletableFuture<Optional<Login>> login(String email) {
        return logins.get(new Get(utf8(email)).addFamily(HBaseSchema.LOGIN)).thenApply(result -> {
            byte[] user = result.getValue(HBaseSchema.LOGIN, HBaseSchema.LOGIN_USER);
            byte[] hash = result.getValue(HBaseSchema.LOGIN, HBaseSchema.PASSWORD_HASH);
            return user == null || hash == null ? Optional.empty()
                    : Optional.of(new Login(Bytes.toLong(user), new String(hash, StandardCharsets.UTF_8)));
        });
    }

    public CompletableFuture<Optional<UserRecord>> user(long userId) {
        return users.get(new Get(HBaseSchema.userRow(userId)).addFamily(HBaseSchema.USER)).thenApply(result -> {
            if (result.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new UserRecord(userId, string(result, HBaseSchema.EMAIL), string(result, HBaseSchema.NAME),
                    longValue(result, HBaseSchema.COUPLE), string(result, HBaseSchema.PAIRING_INVITE)));
        });
    }

    /**
     * Binds a user to a couple, unless already bound. A user can belong to one couple only, and this
     * conditional write is what guarantees it.
     *
     * @return the couple the user is bound to afterwards: {@code coupleId} on success (or if it already
     *     was), another id if the user belongs to another couple
     */
    public CompletableFuture<Long> bindCouple(long userId, long coupleId, String inviteCode) {
        byte[] row = HBaseSchema.userRow(userId);
        CheckAndMutate bind = CheckAndMutate.newBuilder(row)
                .ifNotExists(HBaseSchema.USER, HBaseSchema.COUPLE)
                .build(new Put(row)
                        .addColumn(HBaseSchema.USER, HBaseSchema.COUPLE, Bytes.toBytes(coupleId))
                        .addColumn(HBaseSchema.USER, HBaseSchema.PAIRING_INVITE, utf8(inviteCode)));
        return users.checkAndMutate(bind).thenCompose(result -> result.isSuccess()
                ? CompletableFuture.completedFuture(coupleId)
                : user(userId).thenApply(user -> user.map(UserRecord::coupleId).orElse(0L)));
    }

    /** Undoes {@link #bindCouple} of a pairing that is being aborted; a no-op if bound elsewhere. */
    public CompletableFuture<Void> unbindCouple(long userId, long coupleId) {
        byte[] row = HBaseSchema.userRow(userId);
        CheckAndMutate unbind = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.USER, HBaseSchema.COUPLE, Bytes.toBytes(coupleId))
                .build(new Delete(row).addColumns(HBaseSchema.USER, HBaseSchema.COUPLE)
                        .addColumns(HBaseSchema.USER, HBaseSchema.PAIRING_INVITE));
        return users.checkAndMutate(unbind).thenApply(result -> null);
    }

    /** Deletes the email's login if it still belongs to {@code userId} (a later sign-up may have taken it). */
    public CompletableFuture<Void> deleteLogin(String email, long userId) {
        byte[] row = utf8(email);
        CheckAndMutate delete = CheckAndMutate.newBuilder(row)
                .ifEquals(HBaseSchema.LOGIN, HBaseSchema.LOGIN_USER, Bytes.toBytes(userId))
                .build(new Delete(row));
        return logins.checkAndMutate(delete).thenApply(result -> null);
    }

    /** Deletes the user's row: email, display name, couple binding. */
    public CompletableFuture<Void> deleteUser(long userId) {
        return users.delete(new Delete(HBaseSchema.userRow(userId)));
    }

    static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(Result result, byte[] qualifier) {
        byte[] value = result.getValue(HBaseSchema.USER, qualifier);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static long longValue(Result result, byte[] qualifier) {
        byte[] value = result.getValue(HBaseSchema.USER, qualifier);
        return value == null ? 0 : Bytes.toLong(value);
    }
}
