package io.duet.app.space;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DeleteMemoResult;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoChangedEvent;
import io.duet.protocol.api.MemoConflict;
import io.duet.protocol.api.MemoList;
import io.duet.protocol.storage.StoredMemo;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A couple's memos, as its owner holds them: every operation checks its request against them and says
 * what to write ({@link Step}); the change is applied once written. Confined to the couple's executor.
 *
 * <p>Concurrent edits lose nothing: each memo has a version, raised by every change, and an edit or a
 * delete must name the current one or it fails with {@link MemoConflict} carrying the memo as it is. As
 * one owner serves a couple at a time and runs its space operations one by one, checking the version in
 * memory is a compare-and-set. A memo is rewritten from its stored bytes, keeping the fields a newer
 * release added. A create that names a {@code clientMemoId} is made safe to retry the same way: the memo keeps
 * the id, and a retry finds it (as its creator's; a deleted memo is forgotten, so a retry after the delete
 * creates it again).
 */
public final class MemoBook {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    /** The longest {@code CreateMemoRequest.clientMemoId}, as a message's client id. */
    static final int MAX_CLIENT_MEMO_ID_CHARS = 128;

    private final SpaceLimits limits;
    private final Map<Long, Entry> memos = new HashMap<>();

    public MemoBook(SpaceLimits limits) {
        this.limits = limits;
    }

    /** Reads the stored memos; fails with {@link IllegalStateException} on one it cannot read. */
    public void load(Map<Long, byte[]> cells) {
        memos.clear();
        cells.forEach((id, bytes) -> memos.put(id, new Entry(bytes, decode(id, bytes))));
    }

    public boolean contains(long memoId) {
        return memos.containsKey(memoId);
    }

    /**
     * A new memo, or, for a retry (a {@code clientMemoId} with which {@code userId} already created a memo
     * that still exists), that memo as it is now, with nothing written.
     */
    public Step<Memo> create(long userId, CreateMemoRequest request, long memoId, long now, long fence) throws DuetError {
        String clientMemoId = request.getClientMemoId();
        if (clientMemoId != null) {
            if (clientMemoId.isEmpty() || clientMemoId.length() > MAX_CLIENT_MEMO_ID_CHARS) {
                throw ApiErrors.invalidArgument("clientMemoId: " + clientMemoId.length() + " characters (expected 1 to "
                        + MAX_CLIENT_MEMO_ID_CHARS + ")");
            }
            Map.Entry<Long, Entry> created = createdBy(userId, clientMemoId);
            if (created != null) {
                return Step.done(toMemo(created.getKey(), created.getValue().memo));
            }
        }
        String title = request.getTitle() == null ? "" : request.getTitle();
        String text = request.getText() == null ? "" : request.getText();
        checkSizes(title, text);
        if (memos.size() >= limits.maxMemos) {
            throw ApiErrors.of(ErrorCode.LIMIT_REACHED, "the couple has " + memos.size()
                    + " memos, the most it may keep; delete one first");
        }
        StoredMemo memo = new StoredMemo().setTitle(title).setText(text).setVersion(1)
                .setCreatedBy(userId).setCreatedAtMillis(now).setUpdatedBy(userId).setUpdatedAtMillis(now).setFence(fence)
                .setClientMemoId(clientMemoId);
        return written(memoId, CODEC.encode(memo), memo, userId);
    }

    /** The memo {@code userId} created with {@code clientMemoId}, or null: a scan of at most the couple's limit. */
    private Map.Entry<Long, Entry> createdBy(long userId, String clientMemoId) {
        for (Map.Entry<Long, Entry> entry : memos.entrySet()) {
            StoredMemo memo = entry.getValue().memo;
            if (memo.getCreatedBy() == userId && clientMemoId.equals(memo.getClientMemoId())) {
                return entry;
            }
        }
        return null;
    }

    public Step<Memo> get(long memoId) throws DuetError {
        return Step.done(toMemo(memoId, find(memoId).memo));
    }

    public Step<Memo> edit(long userId, EditMemoRequest request, long now, long fence) throws DuetError, MemoConflict {
        if (!request.isSetTitle() && !request.isSetText()) {
            throw ApiErrors.invalidArgument("nothing to change: set title, text or both");
        }
        Entry entry = checkVersion(request.getMemoId(), request.getExpectedVersion());
        UnknownFields unknown = new UnknownFields();
        StoredMemo memo = decodeKeepingUnknown(request.getMemoId(), entry.bytes, unknown);
        if (request.isSetTitle()) {
            memo.setTitle(request.getTitle());
        }
        if (request.isSetText()) {
            memo.setText(request.getText());
        }
        checkSizes(memo.getTitle(), memo.getText());
        memo.setVersion(memo.getVersion() + 1).setUpdatedBy(userId).setUpdatedAtMillis(now).setFence(fence);
        return written(request.getMemoId(), CODEC.encodeKeepingUnknown(memo, unknown), memo, userId);
    }

    public Step<DeleteMemoResult> delete(long userId, DeleteMemoRequest request) throws DuetError, MemoConflict {
        long memoId = request.getMemoId();
        checkVersion(memoId, request.getExpectedVersion());
        return Step.write(SpaceStore.memoQualifier(memoId), null, () -> memos.remove(memoId), new DeleteMemoResult(),
                Event.memoChanged(new MemoChangedEvent().setMemoId(memoId).setChangedBy(userId)));
    }

    /** Every memo, the most recently changed first. */
    public Step<MemoList> list() {
        List<Memo> list = new ArrayList<>(memos.size());
        memos.forEach((id, entry) -> list.add(toMemo(id, entry.memo)));
        list.sort(Comparator.comparingLong(Memo::getUpdatedAtMillis).reversed().thenComparingLong(Memo::getMemoId));
        return Step.done(new MemoList(list));
    }

    private Step<Memo> written(long memoId, byte[] bytes, StoredMemo memo, long userId) {
        Memo result = toMemo(memoId, memo);
        return Step.write(SpaceStore.memoQualifier(memoId), bytes, () -> memos.put(memoId, new Entry(bytes, memo)), result,
                Event.memoChanged(new MemoChangedEvent().setMemoId(memoId).setMemo(result).setChangedBy(userId)));
    }

    private Entry checkVersion(long memoId, long expectedVersion) throws DuetError, MemoConflict {
        Entry entry = find(memoId);
        if (entry.memo.getVersion() != expectedVersion) {
            throw new MemoConflict(toMemo(memoId, entry.memo));
        }
        return entry;
    }

    private Entry find(long memoId) throws DuetError {
        Entry entry = memos.get(memoId);
        if (entry == null) {
            throw ApiErrors.of(ErrorCode.NOT_FOUND, "no memo " + memoId);
        }
        return entry;
    }

    private void checkSizes(String title, String text) throws DuetError {
        if (title.length() > SpaceLimits.MAX_TITLE_CHARS) {
            throw ApiErrors.invalidArgument("title: " + title.length() + " characters (at most "
                    + SpaceLimits.MAX_TITLE_CHARS + ")");
        }
        if (text.length() > limits.maxMemoChars) {
            throw ApiErrors.invalidArgument("text: " + text.length() + " characters (at most " + limits.maxMemoChars + ")");
        }
    }

    static Memo toMemo(long memoId, StoredMemo memo) {
        return new Memo().setMemoId(memoId).setVersion(memo.getVersion()).setTitle(memo.getTitle()).setText(memo.getText())
                .setCreatedBy(memo.getCreatedBy()).setCreatedAtMillis(memo.getCreatedAtMillis())
                .setUpdatedBy(memo.getUpdatedBy()).setUpdatedAtMillis(memo.getUpdatedAtMillis())
                .setClientMemoId(memo.getClientMemoId());
    }

    private static StoredMemo decode(long memoId, byte[] bytes) {
        return decodeKeepingUnknown(memoId, bytes, new UnknownFields());
    }

    private static StoredMemo decodeKeepingUnknown(long memoId, byte[] bytes, UnknownFields unknown) {
        try {
            return CODEC.decodeKeepingUnknown(bytes, new StoredMemo(), unknown);
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("unreadable memo " + memoId + " in HBase", e);
        }
    }

    /** A memo as stored, and decoded. */
    private static final class Entry {
        final byte[] bytes;
        final StoredMemo memo;

        Entry(byte[] bytes, StoredMemo memo) {
            this.bytes = bytes;
            this.memo = memo;
        }
    }
}
