/* Duet client API v1: chat. TCP sessions, and HTTP at POST /api/v1/chat. */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.chat

/** What a message is; clients show kinds they do not know as a placeholder (a newer server). */
enum MessageKind {
  TEXT = 1,
  /** A photo of the couple's (PhotoService), posted by finishUpload; text is its caption. */
  PHOTO = 2,
  /** A sticker: the sticker field names it (the server keeps no catalogue of stickers); text is empty. */
  STICKER = 3,
}

/**
 * A sticker, named by its pack and its id in the pack: each 1 to 64 characters of A-Z a-z 0-9 . _ -
 * (the server checks only that). The server keeps no sticker catalogue: which packs exist, and the
 * images, are the apps' business.
 */
struct StickerRef {
  1: string packId,
  2: string stickerId,
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
  /** Kind STICKER: the sticker. */
  9: optional StickerRef sticker,
  /**
   * Absent (0) as sent; each edit, and the delete, raise it by one. editMessage and deleteMessage may
   * name the version they are based on (expectedVersion) to refuse a change another device made meanwhile.
   */
  10: optional i64 version,
  /** When the text was last edited; absent if never. */
  11: optional i64 editedAtMillis,
  /**
   * A tombstone: the sender deleted the message. It keeps its sequence number, sender and times;
   * kind, text, photoId and sticker are absent (a decoder that fills in defaults reads kind TEXT: check
   * deleted first). Clients show "message deleted". Absent: not deleted.
   */
  12: optional bool deleted,
  13: optional i64 deletedAtMillis,
}

struct SendMessageRequest {
  /**
   * Chosen by the sender (a UUID); a retry carries the same id and is stored once. Kept exactly as sent:
   * a client that may also send it as clientMessageIdBytes must send it in LOWERCASE canonical form.
   */
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
   *
   * Named once per session: on a TCP session, a send that names its order stream and is acknowledged
   * with orderStreamKept declares that stream for the session, and the session's later sends may leave
   * orderStream out (ordinal set) to mean it; naming another stream declares that one instead. A session
   * is new after every reconnect and every session move (SESSION_MOVED): until a send declares the
   * stream again, a send that leaves it out fails with ORDER_STREAM_UNDECLARED and is not stored (send
   * it again naming the stream). Over HTTP, where nothing is declared, an ordinal without an orderStream
   * is INVALID_ARGUMENT. A client that never got orderStreamKept (an older server) names the stream in
   * every send.
   */
  4: optional string orderStream,
  5: optional i64 ordinal,
  6: optional i64 afterOrdinal,
  /** Set: the message is a STICKER (text must then be empty or unset); unset: a TEXT message. */
  7: optional StickerRef sticker,
  /**
   * The client message id as the 16 bytes of a UUID (most significant first), in place of clientMessageId,
   * which is then left out: 20 bytes less than its 36-character form. The server reads it as the UUID's
   * canonical string (lowercase hex, 8-4-4-4-12), and that string is the message's clientMessageId: what
   * dedup is keyed on, what is stored and delivered. So a retry that names the same id as that string is
   * the same message. Only to a server whose subscribe result says it takes it
   * (SubscribeResult.takesClientMessageIdBytes): an older one refuses a send without clientMessageId as
   * INVALID_ARGUMENT. Not 16 bytes, or set together with a non-empty clientMessageId: INVALID_ARGUMENT (an
   * empty clientMessageId beside it, as generators that always write the field send, counts as absent).
   *
   * LOWERCASE: the bytes equal the LOWERCASE canonical string only. A string clientMessageId is kept exactly
   * as sent, so "0F1E..." sent as a string and its bytes are two different ids (stored twice on a retry that
   * switches form). A client that may send one id in both forms (say, retries after a move to an older server)
   * must send its string ids in lowercase canonical form.
   */
  8: optional binary clientMessageIdBytes,
}

struct SendMessageResult {
  1: common.Seq seq,
  2: i64 sentAtMillis,
  /** True when the message had been stored before (this call was a retry). */
  3: bool duplicate,
  /**
   * The request named an order stream and this TCP session keeps it: the session's later sends may leave
   * orderStream out (see SendMessageRequest.orderStream). Absent: name it in every send.
   */
  4: optional bool orderStreamKept,
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
  /**
   * The newest change number (MessageChangedEvent.change) the client has applied; 0 for none. Set: before the
   * messages after afterSeq, the session is pushed a MessageChangedEvent for each message at or below afterSeq
   * changed (edited or deleted) after that change, in change order, each message once, as it is now, with
   * the number of its latest change; then the replay and the live events follow as without it. The server
   * keeps the couple's newest changes only (see docs/STORAGE.md): if changes after afterChange are no longer
   * kept, a MessageChangesLostEvent comes first, and the client fetches the history it shows again. Absent:
   * no changes are replayed (as before). TCP sessions only: an HTTP long poll ignores it (HTTP clients follow
   * edits and deletes with FeedService.pollEvents, or see them in fetchHistory's pages).
   */
  3: optional i64 afterChange,
  /**
   * Over HTTP, subscribe is a long poll: it waits up to this many milliseconds (at most the server's cap,
   * 25 s by default) until a message after afterSeq is committed, and returns the messages after afterSeq
   * in the result (messages, hasMore). Absent or 0: it returns at once. A poll that times out returns no
   * messages. Ignored on TCP sessions, whose events are pushed.
   */
  4: optional i32 waitMillis,
}

struct SubscribeResult {
  /** The newest sequence number at the time of the call. */
  1: common.Seq latestSeq,
  2: bool partnerTyping,
  /**
   * The couple's newest change number at the time of the call (0 for none); set by servers that number
   * changes. Once it has handled the events pushed before this result (the replayed changes), the client's
   * change cursor is at least this: a change of a message after afterSeq is in the message as replayed.
   */
  3: optional i64 latestChange,
  /**
   * Over HTTP only: the messages after the request's afterSeq, oldest first, at most 100 (like a history
   * page; fetchHistory tells about lost ones); empty if none was committed within waitMillis. Poll again
   * from the last one's seq.
   */
  4: optional list<Message> messages,
  /** Over HTTP only: more messages follow the last of messages: poll again at once. */
  5: optional bool hasMore,
  /*
   * methodIdsVersion, takesClientMessageIdBytes and SendMessageResult.orderStreamKept hold for the route that
   * said them, until SESSION_MOVED or a reconnect. While it reroutes, the presentation server queues the
   * session's calls and writes SESSION_MOVED before it forwards them to the new route, so every reply from
   * the new route comes after the notice: a client that, on SESSION_MOVED, drops these and writes off its
   * calls in flight (sending them again, in full, until the new subscribe result says otherwise) never reads
   * a reply of the new route as an answer to a call made under the old route's settings. So an
   * INVALID_ARGUMENT to a send in a short form is a real one, not an older server.
   */
  /**
   * TCP sessions: the version of the method-id table (common.METHOD_IDS_VERSION) this server takes: it takes
   * every id of that table in place of "service:method" in the session's calls, until the session moves or
   * reconnects (then the next subscribe says again). A client uses the ids of its own table only when this is
   * at least its own METHOD_IDS_VERSION (a newer table only adds ids), else names every method in full, so it
   * never sends an id the server lacks. Absent: name every method in full.
   */
  6: optional i32 methodIdsVersion,
  /**
   * TCP sessions: this server takes SendMessageRequest.clientMessageIdBytes, until the session moves or
   * reconnects (then the next subscribe says again). Absent: send clientMessageId as a string.
   */
  7: optional bool takesClientMessageIdBytes,
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

/**
 * Sequence numbers fromSeq to toSeq (inclusive) whose messages were committed but are no longer in
 * storage: data loss, which the server logs and counts. Asking again will not bring them back.
 */
struct MissingRange {
  1: common.Seq fromSeq,
  2: common.Seq toSeq,
}

struct HistoryPage {
  /** The messages of the page's range, oldest first (a range may hold fewer after data loss: see missing). */
  1: list<Message> messages,
  /** Whether messages lie beyond the page in its direction: after it forwards, before it backwards. */
  2: bool hasMore,
  3: common.Seq latestSeq,
  /**
   * Where the next page in the same direction starts: the next call's afterSeq forwards (the page's last
   * sequence number), its beforeSeq backwards (the page's first). Set whenever the page covered a range.
   */
  4: optional common.Seq nextCursor,
  /**
   * The parts of the page's range whose messages are lost (see MissingRange), oldest first; absent when
   * none is. A client takes them as seen and pages on past them.
   */
  5: optional list<MissingRange> missing,
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
  /** The partner's messages after readUpTo, tombstones left out: the caller's unread count. */
  3: i32 unreadCount,
  /**
   * True when readUpTo is so far back that only the newest messages were counted (1,000 by default):
   * unreadCount is then a lower bound ("999+").
   */
  4: bool unreadCountCapped,
  5: common.Seq latestSeq,
}

/**
 * Replaces the text of one of the caller's own messages: a TEXT message, or the caption of a PHOTO
 * message (which may then be empty). Same limits as sendMessage's text.
 */
struct EditMessageRequest {
  1: common.Seq seq,
  2: string text,
  /**
   * Set: the edit applies only if the message is still at this version, else MessageConflict. Unset:
   * the edit applies to whatever the message is now (the last writer wins).
   */
  3: optional i64 expectedVersion,
}

/**
 * Deletes one of the caller's own messages, leaving a tombstone in its place (Message.deleted). Deleting a
 * tombstone again returns it unchanged. A PHOTO message's photo stays in the couple's photos: deleting
 * the photo is PhotoService.deletePhoto's.
 */
struct DeleteMessageRequest {
  1: common.Seq seq,
  /** As in EditMessageRequest. */
  2: optional i64 expectedVersion,
}

/**
 * The message is no longer at the expectedVersion the change named (another device of the sender changed
 * it): nothing was written. current is the message as it is now.
 */
exception MessageConflict {
  1: Message current,
}

/**
 * Errors of editMessage and deleteMessage: NOT_FOUND for a sequence number the couple has no message at
 * (another couple's sequence numbers are not the caller's); PERMISSION_DENIED for the partner's message;
 * INVALID_ARGUMENT for a text out of limits, editing a tombstone, or editing a kind that has no text
 * (a sticker, or a kind this server does not know).
 */
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
   * On a TCP session: starts pushing events to this session. With afterChange, the changes the client
   * missed of messages it has (see SubscribeRequest) are pushed before the result; then every message after
   * afterSeq, in order, as it is now; then live events.
   *
   * Over HTTP: a long poll. It returns the messages after afterSeq (at most 100, with hasMore) at once if
   * there are any, else waits up to waitMillis (capped at 25 s by default) for the next one and returns
   * it, or returns none when the wait ends. Poll again from the last seq returned. A server parks at most
   * 10,000 polls (more get BUSY) and 4 per user (more get RATE_LIMITED); a poll holds no thread. A poll
   * returns messages only (as they are now): edits, deletes, typing and read marks are not in it. It stays
   * for older HTTP clients: FeedService.pollEvents (feed.thrift) is the complete one, returning every event
   * a TCP session is pushed.
   */
  SubscribeResult subscribe(1: SubscribeRequest request) throws (1: common.DuetError error),

  /**
   * A page of messages after afterSeq or before beforeSeq, oldest first; for HTTP clients and history
   * views. Messages older than the ones the server keeps in memory are read from storage within the
   * server's bounds on such reads: when they are taken, BUSY (retry after retryAfterMillis).
   */
  HistoryPage fetchHistory(1: FetchHistoryRequest request) throws (1: common.DuetError error),

  /**
   * Moves the caller's read mark forward, acknowledged once it is durable; both partners' sessions (the
   * caller's other devices too) get a ReadEvent when it moved. Many marks in a burst cost one write.
   */
  ReadState markRead(1: MarkReadRequest request) throws (1: common.DuetError error),

  ReadState getReadState(1: GetReadStateRequest request) throws (1: common.DuetError error),

  /**
   * Edits one of the caller's messages; returns the message as it is now, once the change is durable.
   * Every subscribed session that was sent the message (both partners', the caller's other devices too)
   * gets a MessageChangedEvent; the others, and history, get the message as it is now.
   */
  Message editMessage(1: EditMessageRequest request)
      throws (1: common.DuetError error, 2: MessageConflict conflict),

  /** Deletes one of the caller's messages (a tombstone); returns the tombstone. Events as editMessage's. */
  Message deleteMessage(1: DeleteMessageRequest request)
      throws (1: common.DuetError error, 2: MessageConflict conflict),
}
