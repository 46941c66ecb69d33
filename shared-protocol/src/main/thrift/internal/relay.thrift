/*
 * Duet internal relay protocol, between a presentation server (the dialling side)
 * and an application server. One TCP connection carries many streams, in the
 * spirit of VCNC's presenter (SPDY-like frames defined in Thrift): a stream is a
 * client's TCP session (SESSION) or one HTTP request (REQUEST). Payloads are
 * client API messages, relayed without being parsed by the presentation tier.
 *
 * Same evolution rules as the client API: field ids are never reused.
 */
include "cluster.thrift"

namespace java io.duet.protocol.relay
namespace py duet.internal.relay

const i32 RELAY_VERSION = 1

enum StreamKind {
  /** A client TCP session: calls, replies, and pushed events, until closed. */
  SESSION = 1,
  /** One HTTP request: a single call and its reply. */
  REQUEST = 2,
}

/** The Thrift protocol of the payloads of a stream. */
enum WireProtocol {
  BINARY = 1,
  COMPACT = 2,
  JSON = 3,
}

/** Who is on the other end of a stream, as verified by the presentation server. */
struct Principal {
  1: i64 userId,
  /** 0 when the user's token carries no couple. */
  2: i64 coupleId,
  3: string deviceId,
  /** The device session of the token (absent in tokens from before sessions had ids). */
  4: optional string sessionId,
  /**
   * When the token expires. A refresh without a refresh token (to pick up a new couple) keeps it, so an
   * access token cannot renew itself. Absent from presentation servers before this field.
   */
  5: optional i64 tokenExpiresAtMillis,
}

/** First frame on a new connection, from the presentation server. */
struct Hello {
  1: i32 relayVersion,
  2: string presentationId,
  /**
   * The presentation server takes Revocation frames. An application server sends them only on links
   * whose Hello says so: older presentation servers close the link on a frame kind they do not know.
   */
  3: optional bool revocations,
}

struct HelloAck {
  1: i32 relayVersion,
  2: string applicationId,
  /**
   * The application server takes StreamCredit frames. A presentation server
   * sends them only on links whose HelloAck says so: older application servers
   * close the link on a frame kind they do not know.
   */
  3: optional bool flowControl,
}

struct OpenStream {
  1: i64 streamId,
  2: StreamKind kind,
  /** Absent for anonymous HTTP calls (sign-up and log-in only). */
  3: optional Principal principal,
  /** REQUEST streams: the service named by the HTTP path ("account", "pairing", ...). */
  4: optional string serviceName,
  5: WireProtocol protocol,
  6: optional string clientAddress,
  /**
   * SESSION streams: the stream is flow-controlled, and this is its initial
   * credit in bytes of EVENT payload (see StreamCredit). Absent (presentation
   * servers before flow control, and REQUEST streams): the credit is unlimited.
   */
  7: optional i64 initialCredit,
  /**
   * SESSION streams: the epoch of the shard map the presentation server routed
   * by. An application server that has not seen that map yet waits for it (a
   * moment) before deciding whether it owns the couple, instead of turning the
   * session away just before the map that gives it the couple arrives.
   */
  8: optional i64 shardMapEpoch,
}

enum PayloadKind {
  /** Client to server: a Thrift CALL or ONEWAY message. */
  CALL = 1,
  /** Server to client: the REPLY or EXCEPTION message answering a CALL. */
  REPLY = 2,
  /** Server to client: a serialized api.Event. */
  EVENT = 3,
}

struct StreamData {
  1: i64 streamId,
  2: PayloadKind kind,
  3: binary payload,
  /**
   * A REPLY whose DuetError is RATE_LIMITED: how long the client should wait. A presentation
   * server answers such an HTTP request with status 429 and a Retry-After header.
   */
  4: optional i32 rateLimitedRetryAfterMillis,
}

enum CloseReason {
  NORMAL = 1,
  /** The client went away (presentation side). */
  CLIENT_GONE = 2,
  /** This application server does not own the stream's couple (any more): route again. */
  NOT_OWNER = 3,
  /** The application server is shutting down: route again. */
  SHUTTING_DOWN = 4,
  /** The principal may not open this stream. */
  UNAUTHORIZED = 5,
  PROTOCOL_ERROR = 6,
  OVERLOADED = 7,
  INTERNAL = 8,
  /**
   * The client did not take its events: a flow-controlled replay got no credit
   * back for too long. The session ends; routing it again would not help.
   */
  SLOW_CONSUMER = 9,
  /**
   * The couple was closed (unpaired, or an account deleted): the session ends with COUPLE_CLOSED; routing
   * it again would not help. Presentation servers before it route again, and give up at their deadline.
   */
  COUPLE_CLOSED = 20,
}

struct CloseStream {
  1: i64 streamId,
  2: CloseReason reason,
  3: optional string detail,
  /**
   * The epoch of the newest shard map the application server had seen when it
   * closed the stream. A presentation server whose own map is older routes the
   * session again once it has that map, rather than by the map it has.
   */
  4: optional i64 shardMapEpoch,
  /**
   * When the stream closed because its couple moved: the server that map gives
   * the couple to. The presentation server may open the session's next stream
   * there at once, with shardMapEpoch in its OpenStream, instead of waiting for
   * that map to reach it.
   */
  5: optional cluster.AppServerInfo movedTo,
}

struct Ping {
  1: i64 nonce,
}

struct Pong {
  1: i64 nonce,
}

/**
 * Application to presentation: deliver an event to every session of these users
 * on this presentation server, whatever stream they are on. Used where no
 * couple stream exists yet (telling an inviter that the partner joined).
 */
struct UserPush {
  1: list<i64> userIds,
  2: binary event,
}

/**
 * Presentation to application: flow control of a SESSION stream opened with an
 * initialCredit. Credit counts bytes of EVENT payload (the StreamData payload,
 * as sent on the relay). The application server subtracts every EVENT it sends
 * from the stream's credit; the presentation server returns credit as those
 * events leave for the client's socket, so the credit left is what the client
 * has not drained yet. Catching up (replaying stored messages) sends only while
 * the credit is positive, so a replay goes as fast as the client reads. Live
 * events (new messages, typing) are small and never wait for credit, but are
 * counted, so that a client that stops reading is still cut off by the
 * presentation server's limit on unsent bytes rather than buffered without
 * bound. Credit may go negative; grants add to it.
 */
struct StreamCredit {
  1: i64 streamId,
  /** Bytes of EVENT payload the client's socket took since the last grant. */
  2: i64 grantedBytes,
  /**
   * Set when the session's client went quiet or was heard from again (grantedBytes then 0): nothing has
   * been read from it for this many milliseconds, longer than its ping interval and a grace, so the
   * connection may be half-open; 0 when the quiet client was heard from again. While a session is quiet
   * the application server does not count it as a connected device when it decides whether to push, and
   * on the quiet signal it pushes the newest message the client may have missed in its silence. Older
   * application servers ignore it.
   */
  3: optional i64 clientSilentMillis,
}

/**
 * Application to presentation: tokens that must no longer be accepted, although signed and not
 * expired (a log-out, or a refresh token used twice). Presentation servers keep it until every token
 * it could match has expired, refuse such tokens, and close the sessions that use one with
 * TOKEN_REVOKED. Sent on every link whose Hello set revocations, and again on each link greeted while
 * it still matters.
 */
struct Revocation {
  1: i64 userId,
  /** Only the tokens of this device session; absent: every session of the user. */
  2: optional string sessionId,
  /** Tokens issued at or before this instant are revoked (all of them, for a sessionId). */
  3: i64 revokedAtMillis,
  /** No token this matches is valid after this instant: forget the revocation then. */
  4: i64 forgetAfterMillis,
}

union RelayFrame {
  1: Hello hello,
  2: HelloAck helloAck,
  3: OpenStream open,
  4: StreamData data,
  5: CloseStream close,
  6: Ping ping,
  7: Pong pong,
  8: UserPush userPush,
  /** Only on links whose HelloAck set flowControl. */
  9: StreamCredit credit,
  /** Only on links whose Hello set revocations. */
  10: Revocation revocation,
}
