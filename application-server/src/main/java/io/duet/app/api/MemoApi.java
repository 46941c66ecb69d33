package io.duet.app.api;

import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.DeleteMemoRequest;
import io.duet.protocol.api.DeleteMemoResult;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.GetMemoRequest;
import io.duet.protocol.api.ListMemosRequest;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoList;
import io.duet.protocol.api.MemoService;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code MemoService} for one call of a paired user: the couple's actor runs it on its {@link
 * io.duet.app.space.MemoBook}, which checks versions and limits.
 */
final class MemoApi implements MemoService.AsyncIface {
    private final SpaceCalls calls;

    MemoApi(SpaceCalls calls) {
        this.calls = calls;
    }

    @Override
    public void createMemo(CreateMemoRequest request, AsyncMethodCallback<Memo> callback) {
        calls.run(space -> space.memos().create(calls.userId(), request, space.newMemoId(), space.now().toEpochMilli(),
                space.fence()), callback);
    }

    @Override
    public void getMemo(GetMemoRequest request, AsyncMethodCallback<Memo> callback) {
        calls.run(space -> space.memos().get(request.getMemoId()), callback);
    }

    @Override
    public void editMemo(EditMemoRequest request, AsyncMethodCallback<Memo> callback) {
        calls.run(space -> space.memos().edit(calls.userId(), request, space.now().toEpochMilli(), space.fence()), callback);
    }

    @Override
    public void deleteMemo(DeleteMemoRequest request, AsyncMethodCallback<DeleteMemoResult> callback) {
        calls.run(space -> space.memos().delete(calls.userId(), request), callback);
    }

    @Override
    public void listMemos(ListMemosRequest request, AsyncMethodCallback<MemoList> callback) {
        calls.run(space -> space.memos().list(), callback);
    }
}
