/* Duet client API v1: chat. TCP sessions, and HTTP at POST /api/v1/chat. */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.chat

enum MessageKind {
  TEXT = 1,
}

struct Message {
  1: common.Seq seq,
  2: string clientMessageId,
  3: common.UserId senderId,
  4: string senderDeviceId,
  5: i64 sentAtMillis,
  6: MessageKind kind = MessageKind.TEXT,
  7: string text,
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
}

struct SubscribeResult {
  /** The newest sequence number at the time of the call. */
  1: common.Seq latestSeq,
  2: bool partnerTyping,
}

struct FetchHistoryRequest {
  1: common.Seq afterSeq,
  2: i32 limit = 100,
}

struct HistoryPage {
  1: list<Message> messages,
  2: bool hasMore,
  3: common.Seq latestSeq,
}

service ChatService {
  /** Acknowledged only after the message is durable; the result carries its sequence number. */
  SendMessageResult sendMessage(1: SendMessageRequest request) throws (1: common.DuetError error),

  SetTypingResult setTyping(1: SetTypingRequest request) throws (1: common.DuetError error),

  /**
   * TCP sessions only: starts pushing events to this session. Every message after
   * afterSeq is pushed first, in order, then live events follow.
   */
  SubscribeResult subscribe(1: SubscribeRequest request) throws (1: common.DuetError error),

  /** A page of messages after afterSeq, oldest first; for HTTP clients and history views. */
  HistoryPage fetchHistory(1: FetchHistoryRequest request) throws (1: common.DuetError error),
}
