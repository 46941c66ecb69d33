/* Duet client API v1: the couple's shared memos. TCP sessions, and HTTP at POST /api/v1/memo. */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.memo

/** A memo's id, unique within its couple. */
typedef i64 MemoId

/**
 * One memo of the couple, which both partners may edit. Every change raises version by one: an edit or a
 * delete names the version it was based on, and fails with MemoConflict if the memo has moved on since.
 */
struct Memo {
  1: MemoId memoId,
  /** 1 when created. */
  2: i64 version,
  3: string title,
  4: string text,
  5: common.UserId createdBy,
  6: i64 createdAtMillis,
  7: common.UserId updatedBy,
  8: i64 updatedAtMillis,
  /** The creator's CreateMemoRequest.clientMemoId, when it named one. */
  9: optional string clientMemoId,
}

struct CreateMemoRequest {
  /** At most 200 characters; may be empty. */
  1: string title,
  /** At most 4,000 characters (the server's limit may be lower); may be empty. */
  2: string text,
  /**
   * Chosen by the client (a UUID, 1 to 128 characters) to make a retry safe: a create whose caller already
   * created a memo with this id, and that memo still exists, creates nothing and returns that memo as it is
   * now (edits since included, whatever title and text the retry carries). Absent: every call creates a memo.
   */
  3: optional string clientMemoId,
}

struct GetMemoRequest {
  1: MemoId memoId,
}

/** Replaces the fields that are set; the others keep their value. */
struct EditMemoRequest {
  1: MemoId memoId,
  /** The version the edit is based on: the memo's current version, or the edit fails with MemoConflict. */
  2: i64 expectedVersion,
  3: optional string title,
  4: optional string text,
}

struct DeleteMemoRequest {
  1: MemoId memoId,
  /** As in EditMemoRequest: deleting a memo the partner changed since fails with MemoConflict. */
  2: i64 expectedVersion,
}

struct DeleteMemoResult {
}

struct ListMemosRequest {
}

struct MemoList {
  /** Every memo of the couple, the most recently changed first. */
  1: list<Memo> memos,
}

/**
 * The memo changed since the version the edit or delete was based on (the partner changed it): nothing
 * was written. current is the memo as it is now; merge the user's change into it and retry with
 * current.version, or drop the change.
 */
exception MemoConflict {
  1: Memo current,
}

/**
 * A memo id that is not one of the caller's couple's memos (never created, deleted, or another couple's)
 * gets NOT_FOUND. A couple holds at most 200 memos by default: creating one more gets LIMIT_REACHED.
 */
service MemoService {
  Memo createMemo(1: CreateMemoRequest request) throws (1: common.DuetError error),

  Memo getMemo(1: GetMemoRequest request) throws (1: common.DuetError error),

  Memo editMemo(1: EditMemoRequest request) throws (1: common.DuetError error, 2: MemoConflict conflict),

  DeleteMemoResult deleteMemo(1: DeleteMemoRequest request)
      throws (1: common.DuetError error, 2: MemoConflict conflict),

  MemoList listMemos(1: ListMemosRequest request) throws (1: common.DuetError error),
}
