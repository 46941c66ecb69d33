/*
 * Duet client API, version 1: types shared by every service.
 *
 * Evolution rules for every file in this directory:
 *  - a field id, once used, is never reused, even after the field is removed;
 *  - new fields are optional (or have defaults), so older peers can skip them;
 *  - every method takes one request struct and returns one result struct, so
 *    both can grow without a new method;
 *  - an incompatible change bumps API_VERSION and the HTTP path (/api/v1/...);
 *  - names must work in every language's stock generator (no keyword of any language, such as self
 *    or service: ThriftGeneratorsTest runs Debian's compiler for several languages to check), and
 *    each file names its own Python package (namespace py duet.api.FILE), so that no generated
 *    module shadows Python's own (calendar, token).
 */
namespace java io.duet.protocol.api
namespace py duet.api.common

/** The client API version these files describe; sent by clients in AuthRequest. */
const i32 API_VERSION = 1

/**
 * Service names on the wire: the prefix of call names on TCP sessions ("chat:sendMessage"), and the
 * last segment of HTTP paths (POST /api/v1/chat).
 */
const string ACCOUNT_SERVICE = "account"
const string PAIRING_SERVICE = "pairing"
const string CHAT_SERVICE = "chat"
const string MEMO_SERVICE = "memo"
const string CALENDAR_SERVICE = "calendar"
const string PHOTO_SERVICE = "photo"
const string DEVICE_SERVICE = "device"
/** Following a couple's events by polling (feed.thrift): every event a TCP session is pushed. */
const string FEED_SERVICE = "feed"

/**
 * Method ids: on a TCP session, a CALL may name its method by its id, a short name, instead of
 * "service:method" (15 bytes less in a send, and in its REPLY, which carries the name the CALL did).
 * Only once the session's subscribe result says the couple's server takes this table's version or a later one
 * (SubscribeResult.methodIdsVersion >= METHOD_IDS_VERSION), and only until the session moves or reconnects: a
 * server that does not take them answers an id with a Thrift EXCEPTION (unknown method). An id, once given,
 * always means the same method; new ids are added for new methods, and adding any raises METHOD_IDS_VERSION.
 * Methods with no id are named in full.
 */
const map<string, string> METHOD_IDS = {
  "1": "chat:sendMessage",
  "2": "chat:setTyping",
  "3": "chat:markRead",
  "4": "chat:subscribe",
  "5": "chat:fetchHistory",
  "6": "chat:getReadState",
  "7": "chat:editMessage",
  "8": "chat:deleteMessage",
}

/** The version of METHOD_IDS: raised whenever ids are added (see SubscribeResult.methodIdsVersion). */
const i32 METHOD_IDS_VERSION = 1

typedef i64 UserId
typedef i64 CoupleId
/** Per-couple message sequence number; the first message of a couple is 1. */
typedef i64 Seq

/** What went wrong, in terms a client can act on. */
enum ErrorCode {
  /** The request is malformed or a field is out of range; do not retry unchanged. */
  INVALID_ARGUMENT = 1,
  /** No valid token, or the token expired: log in again. */
  UNAUTHENTICATED = 2,
  /** The caller may not do this (for example, touch another couple). */
  PERMISSION_DENIED = 3,
  NOT_FOUND = 4,
  ALREADY_EXISTS = 5,
  /** The call needs a couple and the caller's session has none. */
  NOT_PAIRED = 6,
  /** The caller (or the inviter) already belongs to a couple. */
  ALREADY_PAIRED = 7,
  /** The invite code is unknown, expired, or was used by someone else. */
  INVITE_INVALID = 8,
  /** Too many requests; wait retryAfterMillis. */
  RESOURCE_EXHAUSTED = 9,
  /** Temporary: retry after retryAfterMillis with the same client ids. */
  UNAVAILABLE = 10,
  /** A bug on our side; it is logged. */
  INTERNAL = 11,
  /**
   * The send could not be stored in the order its client asked for (a later message of the same
   * order stream is already stored); it was not stored. Do not retry it unchanged.
   */
  OUT_OF_ORDER = 12,
  /**
   * The couple's server has too much of this couple's work queued; the call was not started. Retry
   * after retryAfterMillis.
   */
  BUSY = 13,
  /**
   * A rate limit of the caller, its device, its couple or its source address was reached (for
   * example, too many log-in attempts): wait retryAfterMillis. Over HTTP the status is 429 with a
   * Retry-After header.
   */
  RATE_LIMITED = 14,
  /**
   * A per-couple limit was reached (for example, the most memos or calendar events a couple may keep):
   * nothing was stored. Retrying does not help until something is deleted.
   */
  LIMIT_REACHED = 15,
  /**
   * A send on a TCP session left its orderStream out, and the session has declared none (it is new: a
   * reconnect or a session move; see SendMessageRequest.orderStream). Nothing was stored: send it again
   * naming the order stream. Only clients that leave the stream out get it.
   */
  ORDER_STREAM_UNDECLARED = 16,
}

/** The one error type of every service; declared by every method. */
exception DuetError {
  1: required ErrorCode code,
  2: optional string message,
  3: optional i32 retryAfterMillis,
}

struct UserProfile {
  1: UserId userId,
  2: string displayName,
}

/**
 * A signed session token and what it grants. A token issued before pairing
 * carries no couple; after pairing, call AccountService.refreshSession.
 */
struct Session {
  1: string token,
  2: UserId userId,
  3: optional CoupleId coupleId,
  4: optional UserProfile partner,
  5: i64 expiresAtMillis,
  6: optional UserProfile me,
  /**
   * Renews the session (AccountService.refreshSession) once token expires. Single use: each refresh
   * returns a new one, and presenting a used one ends the session on every device that holds it.
   * Absent when the session was not renewed by it (refreshSession without a refresh token).
   */
  7: optional string refreshToken,
  /** When refreshToken stops working if it is not used. */
  8: optional i64 refreshExpiresAtMillis,
}
