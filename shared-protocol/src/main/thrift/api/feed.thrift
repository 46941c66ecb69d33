/*
 * Duet client API v1: following a couple's events by polling. TCP sessions, and HTTP at POST /api/v1/feed.
 *
 * The complete way for a client that cannot keep a TCP session (a web app) to follow its couple: a poll
 * returns the same events (events.thrift) a TCP session is pushed, in the order they happened, each once.
 * ChatService.subscribe's HTTP long poll, which returns new messages only, stays for older clients.
 */
include "common.thrift"
include "events.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.feed

/**
 * Where the client is: the cursors of the previous FeedPage, sent back as they came. The first poll names
 * afterSeq (the last message the client has; 0 for none) and, if it tracks message changes, afterChange.
 */
struct PollEventsRequest {
  /** The last sequence number the client has seen without a gap; 0 for none. */
  1: common.Seq afterSeq,
  /**
   * The newest change number (MessageChangedEvent.change) the client has applied. Absent: from now on
   * (no change made before this poll is returned). Set: the changes of messages at or below afterSeq made
   * after it come first, as in SubscribeRequest.afterChange (a MessageChangesLostEvent first if the server
   * no longer keeps them all).
   */
  2: optional i64 afterChange,
  /**
   * FeedPage.stream of the previous poll; absent on the first poll. Sent with afterEvent and afterChange
   * (INVALID_ARGUMENT without them).
   */
  3: optional i64 stream,
  /** FeedPage.afterEvent of the previous poll; absent on the first poll. */
  4: optional i64 afterEvent,
  /**
   * Waits up to this many milliseconds (at most the server's cap, 25 s by default) for an event when there
   * is none yet. Absent or 0: returns at once. A poll that times out returns no events.
   */
  5: optional i32 waitMillis,
  /** At most this many events (1 to the server's cap, 100 by default); absent: the cap. */
  6: optional i32 maxEvents,
  /**
   * True: the messages this device sends are left out of the live events (the result of sendMessage is
   * the device's copy), as SubscribeRequest.noEcho; a poll that catches up still returns them. Its cursor
   * moves past them all the same.
   */
  7: optional bool noEcho,
}

/** What happened after the request's cursors, and the cursors to poll with next. */
struct FeedPage {
  /**
   * The events, oldest first: messages (MessageEvent, MessagesMissingEvent for lost ones), edits and
   * deletes (MessageChangedEvent, numbered), typing, read marks, memo, calendar, nickname and photo
   * changes. A closed couple is not an event here: the poll then fails with NOT_PAIRED.
   */
  1: list<events.Event> events,
  /** The next poll's afterSeq. */
  2: common.Seq afterSeq,
  /** The next poll's afterChange. */
  3: i64 afterChange,
  /** The next poll's stream: names the memory of the server that keeps the couple's recent events. */
  4: i64 stream,
  /** The next poll's afterEvent. */
  5: i64 afterEvent,
  /** More events wait: poll again at once. */
  6: bool hasMore,
  /**
   * True: events that are kept in memory only (typing, read marks, memo, calendar, nickname and photo
   * changes) may have been missed since the previous poll: the client fell behind the events the server
   * keeps, or the couple moved to another server (or was reloaded), whose memory the request's stream does
   * not name. The client reads that state again (getReadState, listMemos, getCalendar, getCoupleProfile,
   * listPhotos) and takes the partner as not typing. Messages and their changes are never lost this way:
   * they come from afterSeq and afterChange.
   */
  7: bool eventsLost,
}

/**
 * FeedService is a couple's service: a caller without a couple gets NOT_PAIRED. Polls are bounded like
 * ChatService.subscribe's: a server parks at most 10,000 (more get BUSY) and 4 per user (more get
 * RATE_LIMITED), and a poll counts against the caller's history reads.
 */
service FeedService {
  /**
   * The events after the request's cursors, at once if there are any, else when the first comes or
   * waitMillis passes. Poll again with the page's cursors.
   */
  FeedPage pollEvents(1: PollEventsRequest request) throws (1: common.DuetError error),
}
