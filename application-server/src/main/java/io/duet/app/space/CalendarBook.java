package io.duet.app.space;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarChangedEvent;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.DeleteEventRequest;
import io.duet.protocol.api.DeleteEventResult;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.UpcomingList;
import io.duet.protocol.storage.StoredCalendar;
import io.duet.protocol.storage.StoredEvent;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import org.apache.thrift.TBase;

/**
 * A couple's calendar as its owner holds it: the start date, the time zone (UTC until set) and the
 * birthdays and other events; {@link Anniversaries} does the date arithmetic. Like {@link MemoBook}, each
 * operation says what to write, and the change is applied once written. Confined to the couple's executor.
 */
public final class CalendarBook {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final SpaceLimits limits;
    private byte[] calendarBytes;
    private StoredCalendar calendar = new StoredCalendar();
    private final Map<Long, StoredEvent> events = new TreeMap<>();

    public CalendarBook(SpaceLimits limits) {
        this.limits = limits;
    }

    /** Reads the stored calendar and events; fails with {@link IllegalStateException} on one it cannot read. */
    public void load(byte[] calendarCell, Map<Long, byte[]> eventCells) {
        calendarBytes = calendarCell;
        calendar = calendarCell == null ? new StoredCalendar()
                : decode("calendar", calendarCell, new StoredCalendar(), new UnknownFields());
        events.clear();
        eventCells.forEach((id, bytes) -> events.put(id, decode("event " + id, bytes, new StoredEvent(), new UnknownFields())));
    }

    public boolean containsEvent(long eventId) {
        return events.containsKey(eventId);
    }

    /** The couple's start date (ISO-8601), or null until set. */
    public String startDate() {
        return calendar.isSetStartDate() ? calendar.getStartDate() : null;
    }

    /** The couple's zone: UTC until one is set. */
    public ZoneId zone() {
        return calendar.isSetTimeZone() ? ZoneId.of(calendar.getTimeZone()) : ZoneOffset.UTC;
    }

    public Step<Calendar> get(Instant now) {
        return Step.done(view(calendar, now));
    }

    public Step<Calendar> set(long userId, SetCalendarRequest request, Instant now, long fence) throws DuetError {
        if (!request.isSetStartDate() && !request.isSetTimeZone()) {
            throw ApiErrors.invalidArgument("nothing to change: set startDate, timeZone or both");
        }
        UnknownFields unknown = new UnknownFields();
        StoredCalendar changed = calendarBytes == null ? new StoredCalendar()
                : decode("calendar", calendarBytes, new StoredCalendar(), unknown);
        try {
            if (request.isSetStartDate()) {
                changed.setStartDate(Anniversaries.format(Anniversaries.parseDate("startDate", request.getStartDate())));
            }
            if (request.isSetTimeZone()) {
                changed.setTimeZone(Anniversaries.parseZone(request.getTimeZone()).getId());
            }
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(e.getMessage());
        }
        changed.setFence(fence);
        byte[] bytes = CODEC.encodeKeepingUnknown(changed, unknown);
        return Step.write(SpaceStore.calendarQualifier(), bytes, () -> {
            calendarBytes = bytes;
            calendar = changed;
        }, view(changed, now), changedEvent(userId));
    }

    public Step<CalendarEvent> add(long userId, AddEventRequest request, long eventId, long now, long fence,
            LongPredicate isMember) throws DuetError {
        if (request.getKind() == null) {
            throw ApiErrors.invalidArgument("kind: expected BIRTHDAY or CUSTOM");
        }
        String title = request.getTitle();
        if (title == null || title.isBlank() || title.length() > SpaceLimits.MAX_TITLE_CHARS) {
            throw ApiErrors.invalidArgument("title: expected 1 to " + SpaceLimits.MAX_TITLE_CHARS
                    + " characters, not all blank");
        }
        if (request.isSetPerson() && !isMember.test(request.getPerson())) {
            throw ApiErrors.invalidArgument("person: not a member of this couple");
        }
        LocalDate date;
        try {
            date = Anniversaries.parseDate("date", request.getDate());
        } catch (IllegalArgumentException e) {
            throw ApiErrors.invalidArgument(e.getMessage());
        }
        if (events.size() >= limits.maxEvents) {
            throw ApiErrors.of(ErrorCode.LIMIT_REACHED, "the couple has " + events.size()
                    + " events, the most it may keep; delete one first");
        }
        StoredEvent event = new StoredEvent().setKind(request.getKind().getValue()).setTitle(title)
                .setDate(Anniversaries.format(date))
                .setRepeatsYearly(request.isRepeatsYearly() || request.getKind() == EventKind.BIRTHDAY)
                .setCreatedBy(userId).setCreatedAtMillis(now).setFence(fence);
        if (request.isSetPerson()) {
            event.setPerson(request.getPerson());
        }
        return Step.write(SpaceStore.eventQualifier(eventId), CODEC.encode(event), () -> events.put(eventId, event),
                toEvent(eventId, event), changedEvent(userId));
    }

    public Step<DeleteEventResult> delete(long userId, DeleteEventRequest request) throws DuetError {
        long eventId = request.getEventId();
        if (!events.containsKey(eventId)) {
            throw ApiErrors.of(ErrorCode.NOT_FOUND, "no event " + eventId);
        }
        return Step.write(SpaceStore.eventQualifier(eventId), null, () -> events.remove(eventId), new DeleteEventResult(),
                changedEvent(userId));
    }

    public Step<UpcomingList> upcoming(ListUpcomingRequest request, Instant now) throws DuetError {
        if (request.getLimit() < 1 || request.getLimit() > Anniversaries.MAX_UPCOMING) {
            throw ApiErrors.invalidArgument("limit: " + request.getLimit() + " (expected 1 to " + Anniversaries.MAX_UPCOMING + ")");
        }
        if (request.getWithinDays() < 0 || request.getWithinDays() > Anniversaries.MAX_WINDOW_DAYS) {
            throw ApiErrors.invalidArgument("withinDays: " + request.getWithinDays() + " (expected 0 to "
                    + Anniversaries.MAX_WINDOW_DAYS + ")");
        }
        LocalDate today = LocalDate.ofInstant(now, zone());
        LocalDate start = calendar.isSetStartDate() ? LocalDate.parse(calendar.getStartDate()) : null;
        return Step.done(new UpcomingList(Anniversaries.format(today), zone().getId(),
                Anniversaries.upcoming(today, start, eventList(), request.getLimit(), request.getWithinDays())));
    }

    private Calendar view(StoredCalendar stored, Instant now) {
        ZoneId zone = stored.isSetTimeZone() ? ZoneId.of(stored.getTimeZone()) : ZoneOffset.UTC;
        LocalDate today = LocalDate.ofInstant(now, zone);
        Calendar view = new Calendar().setTimeZone(zone.getId()).setToday(Anniversaries.format(today)).setEvents(eventList());
        if (stored.isSetStartDate()) {
            view.setStartDate(stored.getStartDate());
            long dayCount = Anniversaries.dayCount(LocalDate.parse(stored.getStartDate()), today);
            if (dayCount >= 1) {
                view.setDayCount((int) dayCount);
            }
        }
        return view;
    }

    /** The events, by date of first occurrence. */
    private List<CalendarEvent> eventList() {
        List<CalendarEvent> list = new ArrayList<>(events.size());
        events.forEach((id, event) -> list.add(toEvent(id, event)));
        list.sort(Comparator.comparing(CalendarEvent::getDate).thenComparingLong(CalendarEvent::getEventId));
        return list;
    }

    private static CalendarEvent toEvent(long eventId, StoredEvent stored) {
        EventKind kind = EventKind.findByValue(stored.getKind());
        CalendarEvent event = new CalendarEvent().setEventId(eventId).setKind(kind == null ? EventKind.CUSTOM : kind)
                .setTitle(stored.getTitle()).setDate(stored.getDate()).setRepeatsYearly(stored.isRepeatsYearly())
                .setCreatedBy(stored.getCreatedBy());
        if (stored.isSetPerson()) {
            event.setPerson(stored.getPerson());
        }
        return event;
    }

    private static Event changedEvent(long userId) {
        return Event.calendarChanged(new CalendarChangedEvent().setChangedBy(userId));
    }

    private static <T extends TBase<?, ?>> T decode(String what, byte[] bytes, T into, UnknownFields unknown) {
        try {
            return CODEC.decodeKeepingUnknown(bytes, into, unknown);
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("unreadable " + what + " in HBase", e);
        }
    }
}
