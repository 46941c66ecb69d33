/* Duet client API v1: events the server pushes to TCP sessions (EVENT frames). */
include "common.thrift"
include "chat.thrift"
include "memo.thrift"
include "photo.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.events

struct MessageEvent {
  1: chat.Message message,
}

struct TypingEvent {
  1: common.UserId userId,
  2: bool typing,
}

/** Sent to the inviter when the partner accepted: refresh the session to reach the couple. */
struct PartnerJoinedEvent {
  1: common.CoupleId coupleId,
  2: common.UserProfile partner,
}

/**
 * Committed messages the server cannot find any more (data loss, reported to
 * the operators too). They come in sequence order where the messages would
 * have: a client takes the range as seen and goes on after it, instead of
 * waiting for messages that will never come.
 */
struct MessagesMissingEvent {
  1: common.Seq fromSeq,
  2: common.Seq toSeq,
}

/** A memo was created, edited or deleted (by either partner, on any device). */
struct MemoChangedEvent {
  1: memo.MemoId memoId,
  /** The memo as it is now; absent when it was deleted. */
  2: optional memo.Memo memo,
  3: common.UserId changedBy,
}

/** The start date, the time zone or an event changed: fetch the calendar again. */
struct CalendarChangedEvent {
  1: common.UserId changedBy,
}

/** A partner (or the user, on another device) read the messages up to readUpTo. */
struct ReadEvent {
  1: common.UserId userId,
  2: common.Seq readUpTo,
}

/** A partner set (or cleared) what they call the other; absent nickname: cleared. */
struct NicknameChangedEvent {
  1: common.UserId changedBy,
  2: optional string nickname,
}

enum CoupleClosedReason {
  /** A partner unpaired (PairingService.unpair). */
  UNPAIRED = 1,
  /** A partner deleted their account. */
  ACCOUNT_DELETED = 2,
}

/**
 * The couple was closed and its data deleted: refresh the session (it has no couple now) and connect
 * again. Sent to every session of both partners; TCP sessions of the couple then end with COUPLE_CLOSED.
 */
struct CoupleClosedEvent {
  1: common.CoupleId coupleId,
  2: common.UserId closedBy,
  3: CoupleClosedReason reason,
}

/** A photo was deleted (its objects and metadata are gone): drop it from lists and caches. */
struct PhotoDeletedEvent {
  1: photo.PhotoId photoId,
  2: common.UserId deletedBy,
}

/**
 * A message was edited or deleted (by its sender, on any device): message is its state now (a tombstone
 * when deleted), with its sequence number. A client that has not seen that sequence number yet may drop
 * the event: the message comes later in its current state. History returns the current state too.
 * Each change has a number, counted per couple (change): live events carry it, and a subscribe with
 * afterChange replays the changes a device missed while it was away (see SubscribeRequest.afterChange).
 */
struct MessageChangedEvent {
  1: chat.Message message,
  /**
   * The couple's number of this change (of the latest change of the message, when replayed); the client's
   * change cursor, sent as SubscribeRequest.afterChange, is the highest it has applied. Unset from servers
   * that do not number changes.
   */
  2: optional i64 change,
}

/**
 * Pushed first by a subscribe whose afterChange is older than the changes the server keeps (or than it can
 * vouch for): changes after afterChange up to oldestKept - 1 may have been missed. The client fetches the
 * history it shows again (fetchHistory returns messages as they are now); the kept changes follow as usual.
 */
struct MessageChangesLostEvent {
  1: i64 afterChange,
  /** The oldest change number the server still keeps. */
  2: i64 oldestKept,
}

/** One pushed event. Clients ignore members they do not know (a newer server). */
union Event {
  1: MessageEvent message,
  2: TypingEvent typing,
  3: PartnerJoinedEvent partnerJoined,
  4: MessagesMissingEvent messagesMissing,
  5: MemoChangedEvent memoChanged,
  6: CalendarChangedEvent calendarChanged,
  7: ReadEvent readMark,
  8: MessageChangedEvent messageChanged,
  /* Ids 9 to 19 are left for other changes made at the same time. */
  20: NicknameChangedEvent nicknameChanged,
  21: CoupleClosedEvent coupleClosed,
  22: PhotoDeletedEvent photoDeleted,
  23: MessageChangesLostEvent messageChangesLost,
}
