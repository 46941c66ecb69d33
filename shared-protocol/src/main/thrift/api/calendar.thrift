/*
 * Duet client API v1: the couple's anniversaries and calendar. TCP sessions, and HTTP at
 * POST /api/v1/calendar.
 *
 * Dates are ISO-8601 calendar dates ("2024-02-29") in the couple's time zone, an IANA zone id
 * ("Asia/Seoul"; UTC until set). Day counts follow couples' apps: the start date is day 1, so "100 days"
 * falls on the start date plus 99 days. Yearly dates (anniversaries, birthdays, yearly events) fall on the
 * same month and day; one on February 29 falls on February 28 in common years.
 */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.calendar

enum EventKind {
  /** A partner's (or anyone's) birthday: always repeats yearly. */
  BIRTHDAY = 1,
  CUSTOM = 2,
}

struct CalendarEvent {
  1: i64 eventId,
  2: EventKind kind,
  3: string title,
  /** The first occurrence (for a birthday, the day of birth). */
  4: string date,
  5: bool repeatsYearly,
  /** For a birthday: whose, when it is a partner's. */
  6: optional common.UserId person,
  7: common.UserId createdBy,
}

struct Calendar {
  /** When the couple got together; absent until set. */
  1: optional string startDate,
  2: string timeZone,
  /** Today in timeZone. */
  3: string today,
  /** Today's day count ("D+N"): 1 on the start date; absent without a start date or before it. */
  4: optional i32 dayCount,
  5: list<CalendarEvent> events,
}

struct GetCalendarRequest {
}

/** Sets what is given; the other keeps its value. */
struct SetCalendarRequest {
  1: optional string startDate,
  /** An IANA zone id; offsets such as "+09:00" are refused. */
  2: optional string timeZone,
}

struct AddEventRequest {
  1: EventKind kind,
  /** 1 to 200 characters. */
  2: string title,
  3: string date,
  /** Ignored for a birthday, which always repeats. */
  4: bool repeatsYearly,
  5: optional common.UserId person,
}

struct DeleteEventRequest {
  1: i64 eventId,
}

struct DeleteEventResult {
}

enum UpcomingKind {
  /** A day count of the couple: 100 days, 200 days, ... (every 100 days). */
  DAY_COUNT = 1,
  /** A yearly anniversary of the start date. */
  YEARS_TOGETHER = 2,
  BIRTHDAY = 3,
  CUSTOM = 4,
}

struct UpcomingDate {
  1: UpcomingKind kind,
  2: string date,
  /** 0 for today. */
  3: i32 daysUntil,
  /** What to show: "100 days", "1 year", or the event's title. */
  4: string title,
  /** With DAY_COUNT: the day count reached on that date. */
  5: optional i32 dayCount,
  /** With YEARS_TOGETHER and yearly events: the number of years since the first date (an age for a birthday). */
  6: optional i32 years,
  /** With BIRTHDAY and CUSTOM: the event. */
  7: optional i64 eventId,
}

struct ListUpcomingRequest {
  /** At most this many dates (1 to 100). */
  1: i32 limit = 10,
  /** Only dates from today to today plus this many days (0 to 3,660). */
  2: i32 withinDays = 365,
}

struct UpcomingList {
  /** Today in timeZone. */
  1: string today,
  2: string timeZone,
  /** Soonest first; dates of the same day in the order of UpcomingKind. */
  3: list<UpcomingDate> dates,
}

/**
 * An event id that is not one of the caller's couple's events gets NOT_FOUND. A couple holds at most 100
 * events by default: adding one more gets LIMIT_REACHED.
 */
service CalendarService {
  Calendar getCalendar(1: GetCalendarRequest request) throws (1: common.DuetError error),

  Calendar setCalendar(1: SetCalendarRequest request) throws (1: common.DuetError error),

  CalendarEvent addEvent(1: AddEventRequest request) throws (1: common.DuetError error),

  DeleteEventResult deleteEvent(1: DeleteEventRequest request) throws (1: common.DuetError error),

  UpcomingList listUpcoming(1: ListUpcomingRequest request) throws (1: common.DuetError error),
}
