/* The claims inside a Duet session token (see io.duet.protocol.token.TokenCodec). */
namespace java io.duet.protocol.token

struct TokenClaims {
  1: i64 userId,
  /** 0 when the token was issued before the user was paired. */
  2: i64 coupleId,
  3: string deviceId,
  4: i64 issuedAtMillis,
  5: i64 expiresAtMillis,
}
