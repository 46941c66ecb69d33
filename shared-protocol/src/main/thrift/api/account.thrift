/* Duet client API v1: accounts. Reachable over HTTP (POST /api/v1/account). */
include "common.thrift"

namespace java io.duet.protocol.api

struct SignUpRequest {
  1: string email,
  2: string password,
  3: string displayName,
  /** A stable id of the installation, chosen by the client (for example a UUID). */
  4: string deviceId,
}

struct LogInRequest {
  1: string email,
  2: string password,
  4: string deviceId,
}

struct RefreshSessionRequest {
}

service AccountService {
  /**
   * Creates an account and returns a session for it. Signing up again with the
   * same email and password (a retry) returns a session for the same account.
   */
  common.Session signUp(1: SignUpRequest request) throws (1: common.DuetError error),

  common.Session logIn(1: LogInRequest request) throws (1: common.DuetError error),

  /** A fresh token for the caller, reflecting its current couple (call it after pairing). */
  common.Session refreshSession(1: RefreshSessionRequest request) throws (1: common.DuetError error),
}
