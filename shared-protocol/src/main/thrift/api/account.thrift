/*
 * Duet client API v1: accounts. HTTP: POST /api/v1/account. TCP sessions too: signUp, logIn and
 * refreshSession may come before the AUTH frame (session.thrift).
 */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.account

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
  /**
   * The refresh token of the session: then no access token is needed (it may have expired), and the
   * answer carries the next refresh token, this one being used up. Without it the call needs a valid
   * access token, and returns a copy of it that reflects the user's couple now and expires when it
   * does (to pick up a new couple after pairing; it never extends a token's life).
   */
  1: optional string refreshToken,
}

struct LogOutRequest {
}

struct LogOutEverywhereRequest {
}

struct DeleteAccountRequest {
  /** The account's password, checked again. */
  1: string password,
}

struct DeleteAccountResult {
}

service AccountService {
  /**
   * Creates an account and returns a session for it. Signing up again with the
   * same email and password (a retry) returns a session for the same account.
   */
  common.Session signUp(1: SignUpRequest request) throws (1: common.DuetError error),

  common.Session logIn(1: LogInRequest request) throws (1: common.DuetError error),

  /**
   * A fresh access token for the caller's session, reflecting its current couple (call it after
   * pairing, and before the access token expires). See RefreshSessionRequest.
   */
  common.Session refreshSession(1: RefreshSessionRequest request) throws (1: common.DuetError error),

  /** Ends the caller's device session: its refresh token stops working and its access tokens are refused. */
  void logOut(1: LogOutRequest request) throws (1: common.DuetError error),

  /** Ends every session of the caller's account, on every device, this one included. */
  void logOutEverywhere(1: LogOutEverywhereRequest request) throws (1: common.DuetError error),

  /**
   * Deletes the caller's account (docs/COUPLE-LIFECYCLE.md): checks the password, unpairs the couple if
   * any (deleting its data, S3 objects included; the partner gets a CoupleClosedEvent), ends every session,
   * and deletes the account and its email's log-in. A wrong password gets UNAUTHENTICATED; attempts are
   * limited per user (delete-account.per-user). Retrying after a failure (UNAVAILABLE) finishes the job.
   */
  DeleteAccountResult deleteAccount(1: DeleteAccountRequest request) throws (1: common.DuetError error),
}
