/* Duet client API v1: pairing two users into a couple. HTTP: POST /api/v1/pairing. */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.pairing

struct CreateInviteRequest {
}

struct Invite {
  /** Short code the inviter passes to the partner out of band. */
  1: string code,
  2: i64 expiresAtMillis,
}

struct AcceptInviteRequest {
  1: string code,
}

service PairingService {
  /** A new invite code for the caller, who must not be paired yet. */
  Invite createInvite(1: CreateInviteRequest request) throws (1: common.DuetError error),

  /**
   * Makes the caller and the inviter a couple and returns the caller's new
   * session. Idempotent: a retry after a lost reply returns the same couple.
   */
  common.Session acceptInvite(1: AcceptInviteRequest request) throws (1: common.DuetError error),
}
