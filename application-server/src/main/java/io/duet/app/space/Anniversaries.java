package io.duet.app.space;

import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.UpcomingDate;
import io.duet.protocol.api.UpcomingKind;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Date arithmetic of a couple's calendar, pure: day counts, yearly dates and what is upcoming.
 *
 * <p>Conventions (those of couples' apps such as Between): the start date is day 1, so day count N falls on
 * the start date plus N - 1 days. A yearly date (an anniversary, a birthday, a yearly event) falls on the
 * same month and day each year, and one on February 29 falls on February 28 in common years (never on
 * March 1, so it stays in its month). Every date is a calendar date in the couple's time zone.
 */
public final class Anniversaries {
    /** Day counts are announced every this many days: 100, 200, ..., 1000, 1100, ... */
    public static final int DAY_COUNT_STEP = 100;
    /** The farthest ahead {@link #upcoming} looks. */
    public static final int MAX_WINDOW_DAYS = 3660;
    public static final int MAX_UPCOMING = 100;

    private Anniversaries() {
    }

    /** The day count of {@code today} for a couple that started on {@code start}: 1 on the start date, 0 or less before. */
    public static long dayCount(LocalDate start, LocalDate today) {
        return ChronoUnit.DAYS.between(start, today) + 1;
    }

    /** The date on which a couple that started on {@code start} reaches day count {@code n} (n >= 1). */
    public static LocalDate dateOfDayCount(LocalDate start, long n) {
        return start.plusDays(n - 1);
    }

    /** {@code first}'s month and day in {@code year}; February 29 becomes February 28 in a common year. */
    public static LocalDate inYear(LocalDate first, int year) {
        return first.withYear(year);
    }

    /** The first yearly recurrence of {@code first} on or after {@code from} (and never before {@code first}). */
    public static LocalDate nextYearly(LocalDate first, LocalDate from) {
        if (!first.isBefore(from)) {
            return first;
        }
        LocalDate candidate = inYear(first, from.getYear());
        return candidate.isBefore(from) ? inYear(first, from.getYear() + 1) : candidate;
    }

    /** A date as the API writes it: ISO-8601, {@code 2024-02-29}. */
    public static String format(LocalDate date) {
        return date.format(DateTimeFormatter.ISO_LOCAL_DATE);
    }

    /** Parses an ISO-8601 date (years 1 to 9999); {@link IllegalArgumentException} saying why not. */
    public static LocalDate parseDate(String field, String text) {
        if (text == null) {
            throw new IllegalArgumentException(field + ": missing (expected a date such as 2024-02-29)");
        }
        LocalDate date;
        try {
            date = LocalDate.parse(text, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a date such as 2024-02-29");
        }
        if (date.getYear() < 1 || date.getYear() > 9999) {
            throw new IllegalArgumentException(field + ": " + text + " (expected a year from 1 to 9999)");
        }
        return date;
    }

    /**
     * Parses an IANA time zone id ({@code Asia/Seoul}, {@code UTC}); offsets ({@code +09:00}) and unknown
     * ids are refused with {@link IllegalArgumentException}, so a couple's days follow its region's rules.
     */
    public static ZoneId parseZone(String text) {
        if (text == null || !ZoneId.getAvailableZoneIds().contains(text)) {
            throw new IllegalArgumentException("timeZone: '" + text + "' is not an IANA time zone id such as Asia/Seoul");
        }
        return ZoneId.of(text);
    }

    /**
     * What falls from {@code today} to {@code today + withinDays}, soonest first (dates of one day in the
     * order of {@link UpcomingKind}, then by title), at most {@code limit}: the couple's day counts every
     * {@link #DAY_COUNT_STEP} days and yearly anniversaries (with a start date), and the events' occurrences.
     *
     * @param start the couple's start date, or null
     */
    public static List<UpcomingDate> upcoming(LocalDate today, LocalDate start, List<CalendarEvent> events,
            int limit, int withinDays) {
        LocalDate last = today.plusDays(withinDays);
        List<UpcomingDate> dates = new ArrayList<>();
        if (start != null) {
            long step = Math.max(1, (dayCount(start, today) + DAY_COUNT_STEP - 1) / DAY_COUNT_STEP);
            for (long n = step * DAY_COUNT_STEP; !dateOfDayCount(start, n).isAfter(last); n += DAY_COUNT_STEP) {
                dates.add(new UpcomingDate(UpcomingKind.DAY_COUNT, format(dateOfDayCount(start, n)),
                        days(today, dateOfDayCount(start, n)), n + " days").setDayCount((int) n));
            }
            for (LocalDate date = nextYearly(inYear(start, start.getYear() + 1), today); !date.isAfter(last);
                    date = inYear(start, date.getYear() + 1)) {
                int years = date.getYear() - start.getYear();
                dates.add(new UpcomingDate(UpcomingKind.YEARS_TOGETHER, format(date), days(today, date),
                        years + (years == 1 ? " year" : " years")).setYears(years));
            }
        }
        for (CalendarEvent event : events) {
            LocalDate first = LocalDate.parse(event.getDate());
            UpcomingKind kind = event.getKind() == EventKind.BIRTHDAY ? UpcomingKind.BIRTHDAY : UpcomingKind.CUSTOM;
            if (!repeats(event)) {
                if (!first.isBefore(today) && !first.isAfter(last)) {
                    dates.add(new UpcomingDate(kind, format(first), days(today, first), event.getTitle())
                            .setEventId(event.getEventId()));
                }
                continue;
            }
            for (LocalDate date = nextYearly(first, today); !date.isAfter(last); date = inYear(first, date.getYear() + 1)) {
                dates.add(new UpcomingDate(kind, format(date), days(today, date), event.getTitle())
                        .setYears(date.getYear() - first.getYear()).setEventId(event.getEventId()));
            }
        }
        dates.sort(Comparator.comparingInt(UpcomingDate::getDaysUntil)
                .thenComparingInt(date -> date.getKind().getValue())
                .thenComparing(UpcomingDate::getTitle)
                .thenComparingLong(UpcomingDate::getEventId));
        return dates.size() > limit ? new ArrayList<>(dates.subList(0, limit)) : dates;
    }

    /** A birthday repeats whatever its flag says. */
    public static boolean repeats(CalendarEvent event) {
        return event.isRepeatsYearly() || event.getKind() == EventKind.BIRTHDAY;
    }

    private static int days(LocalDate today, LocalDate date) {
        return (int) ChronoUnit.DAYS.between(today, date);
    }
}
