package io.duet.app.api;

import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.CalendarService;
import io.duet.protocol.api.DeleteEventRequest;
import io.duet.protocol.api.DeleteEventResult;
import io.duet.protocol.api.GetCalendarRequest;
import io.duet.protocol.api.ListUpcomingRequest;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.UpcomingList;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code CalendarService} for one call of a paired user: the couple's actor runs it on its {@link
 * io.duet.app.space.CalendarBook}; dates are the couple's, in its time zone.
 */
final class CalendarApi implements CalendarService.AsyncIface {
    private final SpaceCalls calls;

    CalendarApi(SpaceCalls calls) {
        this.calls = calls;
    }

    @Override
    public void getCalendar(GetCalendarRequest request, AsyncMethodCallback<Calendar> callback) {
        calls.run(space -> space.calendar().get(space.now()), callback);
    }

    @Override
    public void setCalendar(SetCalendarRequest request, AsyncMethodCallback<Calendar> callback) {
        calls.run(space -> space.calendar().set(calls.userId(), request, space.now(), space.fence()), callback);
    }

    @Override
    public void addEvent(AddEventRequest request, AsyncMethodCallback<CalendarEvent> callback) {
        calls.run(space -> space.calendar().add(calls.userId(), request, space.newEventId(), space.now().toEpochMilli(),
                space.fence(), space::isMember), callback);
    }

    @Override
    public void deleteEvent(DeleteEventRequest request, AsyncMethodCallback<DeleteEventResult> callback) {
        calls.run(space -> space.calendar().delete(calls.userId(), request), callback);
    }

    @Override
    public void listUpcoming(ListUpcomingRequest request, AsyncMethodCallback<UpcomingList> callback) {
        calls.run(space -> space.calendar().upcoming(request, space.now()), callback);
    }
}
