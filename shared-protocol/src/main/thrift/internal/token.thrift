/* The claims inside a Duet session token (see io.duet.protocol.token.TokenCodec). */
namespace java io.duet.protocol.token
namespace py duet.internal.token

struct TokenClaims {
  1: i64 userId,
  /** 0 when the token was issued before the user was paired. */
  2: i64 coupleId,
  3: string deviceId,
  4: i64 issuedAtMillis,
  5: i64 expiresAtMillis,
  /**
   * The device session (one log-in on one device) the token belongs to: logging out ends it, and the
   * refresh token of that session is what renews the token. Absent in tokens issued before sessions
   * had ids.
   */
  6: optional string sessionId,
}
