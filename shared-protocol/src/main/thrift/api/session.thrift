/*
 * Duet client TCP session: the control frames around the relayed service calls.
 * See io.duet.protocol.frame.FrameType for the frame layout.
 */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.session

/*
 * After AUTH, a CALL names its method "service:method" ("chat:sendMessage"), or by its method id
 * (common.METHOD_IDS) once the session's subscribe result allows it (SubscribeResult.methodIdsVersion); its
 * REPLY carries the same name.
 */

/**
 * The first frame of every TCP connection, within the auth timeout (10 s by default), but for the
 * account calls that make a token.
 *
 * Before AUTH: a client with no token yet may call AccountService's signUp, logIn and refreshSession
 * (with a refresh token) as CALL frames (compact protocol, named "account:signUp" or "signUp"), and
 * get each REPLY, then send AUTH with the token it got and go on over the same connection. At most 3
 * such calls per connection, one at a time (send the next after the REPLY of the last), all within
 * the auth timeout. They are served as over HTTP: the same rate limits per client address, and the
 * same DuetErrors (EMAIL_TAKEN, RATE_LIMITED, ...) in the REPLY. Any other frame before AUTH, another
 * call, or one call too many, closes the connection with NOT_AUTHENTICATED; a second call before
 * the REPLY of the first, with BAD_FRAME.
 */
struct AuthRequest {
  1: string token,
  2: i32 apiVersion,
  3: optional string clientVersion,
}

struct AuthAccepted {
  1: common.UserId userId,
  2: optional common.CoupleId coupleId,
  3: i64 serverTimeMillis,
  /** The largest frame the server accepts, compressed or not. */
  4: i32 maxFrameBytes,
  /**
   * Send a PING at least this often. A client silent for longer than this and a grace (10 s by
   * default) no longer counts as a connected device when the server decides whether to push (its
   * connection may be half-open: a phone that lost its network without closing); a client silent
   * for the idle timeout (90 s by default) is disconnected with IDLE_TIMEOUT.
   */
  5: i32 pingIntervalMillis,
  /**
   * When the token this session authenticated with expires (server clock, like serverTimeMillis): the
   * server then closes the session with TOKEN_EXPIRED. Renew before it (refreshSession with the refresh
   * token) and connect again with the new token, subscribing from the last sequence seen.
   */
  6: optional i64 tokenExpiresAtMillis,
  /**
   * The device the token names: the senderDeviceId of this session's own messages, which a client that
   * subscribes with noEcho builds from the replies to its sends.
   */
  7: optional string deviceId,
}

enum SessionErrorCode {
  BAD_FRAME = 1,
  FRAME_TOO_LARGE = 2,
  BAD_COMPRESSION = 3,
  NOT_AUTHENTICATED = 4,
  TOKEN_INVALID = 5,
  TOKEN_EXPIRED = 6,
  UNSUPPORTED_VERSION = 7,
  AUTH_TIMEOUT = 8,
  IDLE_TIMEOUT = 9,
  SLOW_CONSUMER = 10,
  UNAVAILABLE = 11,
  SHUTTING_DOWN = 12,
  INTERNAL = 13,
  /** The session was logged out, or its refresh token was used twice: log in again. */
  TOKEN_REVOKED = 14,
  /**
   * The couple the session's token names was closed (unpaired, or a partner deleted their account):
   * refresh the session with the refresh token (it has no couple now) and connect again.
   */
  COUPLE_CLOSED = 20,
}

/** Sent before the server closes a connection, saying why. */
struct SessionError {
  1: SessionErrorCode code,
  2: string message,
}

enum NoticeKind {
  /**
   * The session was moved to another application server (a shard moved) and
   * events may have been missed: subscribe again from the last sequence seen,
   * and retry calls that got no reply.
   */
  SESSION_MOVED = 1,
  /**
   * This server is draining (it is about to stop): close this connection and connect again through
   * the client endpoint, after a random delay of up to reconnectWithinMillis, then subscribe again from
   * the last sequence seen and retry calls that got no reply. The server keeps serving the connection
   * until then, and closes it with SHUTTING_DOWN only at its drain deadline. A client that does not know
   * this kind may ignore it: it is disconnected at the deadline and reconnects as after any loss.
   */
  RECONNECT = 2,
}

struct SessionNotice {
  1: NoticeKind kind,
  2: optional string detail,
  /** With RECONNECT: spread the reconnect over this many milliseconds (a random delay up to it). */
  3: optional i32 reconnectWithinMillis,
}
