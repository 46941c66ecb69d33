/* Duet client API v1: chat. TCP sessions, and HTTP at POST /api/v1/chat. */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.chat

/** What a message is; clients show kinds they do not know as a placeholder (a newer server). */
enum MessageKind {
  TEXT = 1,
  /** A photo of the couple's (PhotoService), posted by finishUpload; text is its caption. */
  PHOTO = 2,
}

struct Message {
  1: common.Seq seq,
  2: string clientMessageId,
  3: common.UserId senderId,
  4: string senderDeviceId,
  5: i64 sentAtMillis,
  6: MessageKind kind = MessageKind.TEXT,
  7: string text,
  /** Kind PHOTO: the photo (PhotoService.getPhoto, getPhotoUrl); it may have been deleted since. */
  8: optional string photoId,
}

struct SendMessageRequest {
  /** Chosen by the sender (a UUID); a retry carries the same id and is stored once. */
  1: string clientMessageId,
  2: string text,
  /** 1 for the first attempt, higher for retries of the same clientMessageId. */
  3: i32 attempt = 1,
  /**
   * Per-sender order. A client that has several sends in flight names an order stream (a random id,
   * at most 64 characters, for example one per app launch) and numbers its sends in it: ordinal 1, 2,
   * 3, ... in the order the user sent them, the same ordinal on every retry. The server never stores a
   * message of a stream before the one named by afterOrdinal (the previous send the client has not
   * given up on; 0 for none): it waits a few seconds for it, then fails with UNAVAILABLE (unless
   * nothing of the stream is stored: a new stream, or one idle for longer than the 14-day dedup
   * window, then goes on from that send). A send whose place has been taken by a later message of its
   * stream fails with OUT_OF_ORDER and is not stored.
   * Without a stream, sends are stored in the order they reach the couple's server.
   */
  4: optional string orderStream,
  5: optional i64 ordinal,
  6: optional i64 afterOrdinal,
}

struct SendMessageResult {
  1: common.Seq seq,
  2: i64 sentAtMillis,
  /** True when the message had been stored before (this call was a retry). */
  3: bool duplicate,
}

struct SetTypingRequest {
  1: bool typing,
}

struct SetTypingResult {
}

struct SubscribeRequest {
  /** The last sequence number the client has seen without a gap; 0 for none. */
  1: common.Seq afterSeq,
  /**
   * True: this session is not pushed the messages it sends (no echo). The result of sendMessage is its
   * copy: the client puts the message in its timeline from it (sender and device from AuthAccepted), and
   * counts its seq as seen. The session's other calls, its other devices and a later subscribe's replay
   * are unchanged. Absent or false: every message is pushed, the session's own too.
   */
  2: optional bool noEcho,
}

struct SubscribeResult {
  /** The newest sequence number at the time of the call. */
  1: common.Seq latestSeq,
  2: bool partnerTyping,
}

/**
 * A page of history covers a range of at most limit sequence numbers (1 to 500), returned oldest first.
 * Forwards (beforeSeq unset): the range right after afterSeq. Backwards (beforeSeq set): the range right
 * before beforeSeq; a beforeSeq past latestSeq (for example 2^53) pages back from the newest message.
 */
struct FetchHistoryRequest {
  1: common.Seq afterSeq,
  2: i32 limit = 100,
  /** When set, pages backwards and afterSeq is ignored. */
  3: optional common.Seq beforeSeq,
}

struct HistoryPage {
  /** The messages of the page's range, oldest first (a range may hold fewer after data loss). */
  1: list<Message> messages,
  /** Whether messages lie beyond the page in its direction: after it forwards, before it backwards. */
  2: bool hasMore,
  3: common.Seq latestSeq,
  /**
   * Where the next page in the same direction starts: the next call's afterSeq forwards (the page's last
   * sequence number), its beforeSeq backwards (the page's first). Set whenever the page covered a range.
   */
  4: optional common.Seq nextCursor,
}

/** Marks the caller's messages up to upToSeq as read (a value past latestSeq counts as latestSeq). */
struct MarkReadRequest {
  1: common.Seq upToSeq,
}

struct GetReadStateRequest {
}

/**
 * The caller's read state. Read marks only move forward: marking read below the current mark changes
 * nothing and is not an error.
 */
struct ReadState {
  /** The caller has read every message up to this sequence number; 0 for none. */
  1: common.Seq readUpTo,
  2: common.Seq partnerReadUpTo,
  /** The partner's messages after readUpTo: the caller's unread count. */
  3: i32 unreadCount,
  /**
   * True when readUpTo is so far back that only the newest messages were counted (1,000 by default):
   * unreadCount is then a lower bound ("999+").
   */
  4: bool unreadCountCapped,
  5: common.Seq latestSeq,
}

service ChatService {
  /**
   * Acknowledged only after the message is durable; the result carries its sequence number. Every
   * subscribed session of the couple gets a MessageEvent for it (the sender's other devices too), except
   * the TCP session that sent it if it subscribed with noEcho: the result is then that session's copy. A
   * subscribe replays every message after its afterSeq, the session's own too.
   */
  SendMessageResult sendMessage(1: SendMessageRequest request) throws (1: common.DuetError error),

  SetTypingResult setTyping(1: SetTypingRequest request) throws (1: common.DuetError error),

  /**
   * TCP sessions only: starts pushing events to this session. Every message after
   * afterSeq is pushed first, in order, then live events follow.
   */
  SubscribeResult subscribe(1: SubscribeRequest request) throws (1: common.DuetError error),

  /** A page of messages after afterSeq or before beforeSeq, oldest first; for HTTP clients and history views. */
  HistoryPage fetchHistory(1: FetchHistoryRequest request) throws (1: common.DuetError error),

  /**
   * Moves the caller's read mark forward, acknowledged once it is durable; both partners' sessions (the
   * caller's other devices too) get a ReadEvent when it moved. Many marks in a burst cost one write.
   */
  ReadState markRead(1: MarkReadRequest request) throws (1: common.DuetError error),

  ReadState getReadState(1: GetReadStateRequest request) throws (1: common.DuetError error),
}
