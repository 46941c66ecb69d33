/* Duet client API v1: pairing two users into a couple. TCP sessions, and HTTP at POST /api/v1/pairing. */
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

struct GetCoupleProfileRequest {
}

/** The couple as one partner sees it: both profiles, the nicknames they gave each other, the start date. */
struct CoupleProfile {
  1: common.CoupleId coupleId,
  2: common.UserProfile me,
  3: common.UserProfile partner,
  /** What the caller calls the partner (setNickname); absent until set. */
  4: optional string partnerNickname,
  /** What the partner calls the caller; absent until set. */
  5: optional string myNickname,
  /** The couple's start date: the calendar's (CalendarService.setCalendar); absent until set. */
  6: optional string startDate,
}

struct SetNicknameRequest {
  /** What the caller calls the partner: 1 to 50 characters, not all blank. Absent: clears it. */
  1: optional string nickname,
}

struct UnpairRequest {
  /**
   * The caller's password, checked again (unpairing deletes both partners' data): absent gets
   * INVALID_ARGUMENT, a wrong one UNAUTHENTICATED.
   */
  1: optional string password,
}

service PairingService {
  /** A new invite code for the caller, who must not be paired yet. */
  Invite createInvite(1: CreateInviteRequest request) throws (1: common.DuetError error),

  /**
   * Makes the caller and the inviter a couple and returns the caller's new
   * session. Idempotent: a retry after a lost reply returns the same couple.
   */
  common.Session acceptInvite(1: AcceptInviteRequest request) throws (1: common.DuetError error),

  /** The caller's couple: profiles, nicknames and start date. NOT_PAIRED without a couple. */
  CoupleProfile getCoupleProfile(1: GetCoupleProfileRequest request) throws (1: common.DuetError error),

  /**
   * Sets (or clears) what the caller calls the partner; both partners' sessions get a NicknameChangedEvent.
   * Written under the couple's fence like memos.
   */
  CoupleProfile setNickname(1: SetNicknameRequest request) throws (1: common.DuetError error),

  /**
   * Ends the caller's couple, for both partners (docs/COUPLE-LIFECYCLE.md): no more writes, the couple's
   * messages, memos, calendar and photos (S3 objects included) are deleted at once, both partners are
   * unpaired and may pair again, every session of the couple gets a CoupleClosedEvent and its TCP sessions
   * end with COUPLE_CLOSED. Returns the caller's new session, without a couple. The caller's password is
   * checked first, like deleteAccount's: counted against the account's budget of wrong passwords, and
   * attempts are limited per user (unpair.per-user). Retrying after a failure (UNAVAILABLE) finishes the job.
   */
  common.Session unpair(1: UnpairRequest request) throws (1: common.DuetError error),
}
