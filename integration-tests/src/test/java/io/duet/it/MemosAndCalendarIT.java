package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AddEventRequest;
import io.duet.protocol.api.Calendar;
import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.CreateMemoRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMemoRequest;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.MemoConflict;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.api.UpcomingDate;
import io.duet.protocol.api.UpcomingKind;
import io.duet.protocol.api.UpcomingList;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Memos and the calendar on the local cluster, over HTTP (stock generated clients through {@link DuetHttp})
 * and over TCP ({@link DuetClient}): a partner's edit on a stale version is refused with the memo as it is
 * now, another couple's memo ids are NOT_FOUND, a retried create returns the memo its first attempt made,
 * and the partner's sessions hear of every change.
 */
class MemosAndCalendarIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ZoneId SEOUL = ZoneId.of("Asia/Seoul");

    @Test
    void partnersShareMemosAndACalendarOverTcpAndHttp() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        TestCouple others = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp otherHttp = TestCouple.http(cluster, 1, TestCouple.ANN_DEVICE);
        String ann = couple.ann.getToken();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            // Ann creates a memo over HTTP; Bob's session hears of it, and he lists it over TCP.
            Memo created = annHttp.createMemo(ann, "Groceries", "milk");
            long id = created.getMemoId();
            assertThat(created.getVersion()).isEqualTo(1);
            assertThat(created.getCreatedBy()).isEqualTo(couple.ann.getUserId());
            String annId = Long.toString(couple.ann.getUserId());
            RecordingListener.await(WAIT, "Bob hears of the new memo", () -> bobHears.memoChanges.contains(id + " v1 by " + annId));
            assertThat(tcp(bob.listMemos()).getMemos()).containsExactly(created);

            // Both edit version 1: Bob's edit (TCP) lands, Ann's (HTTP) is refused with Bob's memo.
            Memo bobs = tcp(bob.editMemo(new EditMemoRequest(id, 1).setText("milk, eggs")));
            assertThat(bobs.getVersion()).isEqualTo(2);
            assertThatThrownBy(() -> annHttp.editMemo(ann, id, 1, null, "milk, bread"))
                    .isInstanceOfSatisfying(MemoConflict.class, conflict -> assertThat(conflict.getCurrent()).isEqualTo(bobs));
            Memo merged = annHttp.editMemo(ann, id, bobs.getVersion(), null, "milk, eggs, bread");
            assertThat(merged.getVersion()).isEqualTo(3);
            assertThat(merged.getTitle()).isEqualTo("Groceries");
            assertThat(merged.getUpdatedBy()).isEqualTo(couple.ann.getUserId());

            // A stale version over TCP: the future fails with the typed conflict too.
            assertThatThrownBy(() -> tcp(bob.editMemo(new EditMemoRequest(id, 2).setTitle("Shopping"))))
                    .isInstanceOfSatisfying(MemoConflict.class, conflict -> assertThat(conflict.getCurrent()).isEqualTo(merged));
            assertThatThrownBy(() -> tcp(bob.deleteMemo(id, 2))).isInstanceOf(MemoConflict.class);
            assertThat(annHttp.getMemo(ann, id)).isEqualTo(merged);

            // Limits and bad input get clear errors.
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.createMemo(ann, "Too long", "x".repeat(4001)));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.editMemo(ann, id, 3, null, null));

            // Another couple's memo is NOT_FOUND to Ann, whatever she tries, and stays as it was.
            Memo theirs = otherHttp.createMemo(others.ann.getToken(), "Theirs", "private");
            long theirId = theirs.getMemoId();
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.getMemo(ann, theirId));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.editMemo(ann, theirId, 1, null, "mine now"));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.deleteMemo(ann, theirId, 1));
            expectError(ErrorCode.NOT_FOUND, () -> tcp(bob.deleteMemo(theirId, 1)));
            assertThat(otherHttp.listMemos(others.ann.getToken()).getMemos()).containsExactly(theirs);
            assertThat(annHttp.listMemos(ann).getMemos()).containsExactly(merged);

            // Bob deletes at the current version; then the id is unknown.
            tcp(bob.deleteMemo(id, 3));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.getMemo(ann, id));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.editMemo(ann, id, 3, null, "again"));
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.getMemo(ann, 123456789L));
            assertThat(tcp(bob.listMemos()).getMemos()).isEmpty();
            String bobId = Long.toString(couple.bob.getUserId());
            RecordingListener.await(WAIT, "Bob hears of every change", () -> bobHears.memoChanges.containsAll(List.of(
                    id + " v2 by " + bobId, id + " v3 by " + annId, id + " deleted by " + bobId)));

            // A retried create (the same clientMemoId: the first reply was lost, say) returns the memo the first
            // attempt made, as it is now, over either transport; the partner's create with that id is hers.
            CreateMemoRequest packingList = new CreateMemoRequest("Packing", "passports")
                    .setClientMemoId(UUID.randomUUID().toString());
            Memo packing = tcp(bob.createMemo(packingList));
            assertThat(packing.getClientMemoId()).isEqualTo(packingList.getClientMemoId());
            assertThat(tcp(bob.createMemo(packingList))).isEqualTo(packing);
            Memo packed = annHttp.editMemo(ann, packing.getMemoId(), 1, null, "passports, tickets");
            assertThat(annHttp.createMemo(couple.bob.getToken(), packingList)).isEqualTo(packed);
            Memo annsOwn = annHttp.createMemo(ann, packingList);
            assertThat(tcp(bob.listMemos()).getMemos()).extracting(Memo::getMemoId)
                    .containsExactlyInAnyOrder(packing.getMemoId(), annsOwn.getMemoId());

            // The calendar: a start date 99 days ago in Seoul is day 100 today, there.
            LocalDate today = LocalDate.now(SEOUL);
            LocalDate start = today.minusDays(99);
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.setCalendar(ann, start.toString(), "+09:00"));
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.setCalendar(ann, "2024-02-30", null));
            Calendar calendar = annHttp.setCalendar(ann, start.toString(), "Asia/Seoul");
            assertThat(calendar.getTimeZone()).isEqualTo("Asia/Seoul");
            assertThat(calendar.getStartDate()).isEqualTo(start.toString());
            LocalDate serverToday = LocalDate.parse(calendar.getToday());
            assertThat(serverToday).isBetween(today, today.plusDays(1)); // midnight may pass meanwhile
            assertThat(calendar.getDayCount()).isEqualTo(100 + (serverToday.equals(today) ? 0 : 1));
            RecordingListener.await(WAIT, "Bob hears of the calendar change", () -> bobHears.calendarChanges.contains(couple.ann.getUserId()));

            LocalDate soon = today.plusDays(10);
            if (soon.getMonthValue() == 2 && soon.getDayOfMonth() == 29) {
                soon = soon.plusDays(1); // its birthday 30 years ago would fall on the 28th
            }
            LocalDate birthday = soon.minusYears(30);
            String birthdayThisYear = soon.toString();
            CalendarEvent event = annHttp.addEvent(ann, new AddEventRequest(EventKind.BIRTHDAY, "Bob's birthday",
                    birthday.toString(), false).setPerson(couple.bob.getUserId()));
            assertThat(event.isRepeatsYearly()).isTrue();
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.addEvent(ann, new AddEventRequest(EventKind.BIRTHDAY,
                    "A stranger's", birthday.toString(), true).setPerson(others.bob.getUserId())));
            expectError(ErrorCode.NOT_FOUND, () -> otherHttp.deleteEvent(others.ann.getToken(), event.getEventId()));

            // Upcoming over TCP (Bob) and HTTP (Ann): the same dates, soonest first.
            UpcomingList upcoming = tcp(bob.listUpcoming(3, 400));
            assertThat(annHttp.listUpcoming(ann, 3, 400)).isEqualTo(upcoming);
            assertThat(upcoming.getTimeZone()).isEqualTo("Asia/Seoul");
            assertThat(upcoming.getDates()).hasSize(3);
            if (upcoming.getToday().equals(today.toString())) {
                assertThat(upcoming.getDates()).extracting(UpcomingDate::getKind)
                        .containsExactly(UpcomingKind.DAY_COUNT, UpcomingKind.BIRTHDAY, UpcomingKind.DAY_COUNT);
                assertThat(upcoming.getDates().get(0).getDayCount()).isEqualTo(100);
                assertThat(upcoming.getDates().get(0).getDaysUntil()).isZero();
                assertThat(upcoming.getDates().get(1).getDate()).isEqualTo(birthdayThisYear);
                assertThat(upcoming.getDates().get(1).getYears()).isEqualTo(30);
                assertThat(upcoming.getDates().get(2).getDayCount()).isEqualTo(200);
            }
            annHttp.deleteEvent(ann, event.getEventId());
            expectError(ErrorCode.NOT_FOUND, () -> annHttp.deleteEvent(ann, event.getEventId()));
            assertThat(annHttp.getCalendar(ann).getEvents()).isEmpty();

            // Bob's TCP session does the same: a memo by id, the start date, an event added and deleted.
            assertThat(tcp(bob.getMemo(packing.getMemoId()))).isEqualTo(packed);
            assertThat(tcp(bob.setCalendar(new SetCalendarRequest().setStartDate(start.minusDays(1).toString())))
                    .getStartDate()).isEqualTo(start.minusDays(1).toString());
            CalendarEvent trip = tcp(bob.addEvent(new AddEventRequest(EventKind.CUSTOM, "Trip", soon.toString(), false)));
            assertThat(tcp(bob.calendar()).getEvents()).containsExactly(trip);
            tcp(bob.deleteEvent(trip.getEventId()));
            assertThat(annHttp.getCalendar(ann).getEvents()).isEmpty();

            // Not paired yet: NOT_PAIRED, before anything is looked up.
            Session single = TestCouple.http(cluster, 0, "single-phone")
                    .signUp(TestCouple.uniqueEmail("single"), "single's password", "Sam");
            expectError(ErrorCode.NOT_PAIRED, () -> annHttp.listMemos(single.getToken()));
            expectError(ErrorCode.NOT_PAIRED, () -> annHttp.listUpcoming(single.getToken(), 10, 365));
        }
    }

    /** The outcome of a TCP call, its failure's cause thrown as is. */
    private static <T> T tcp(CompletableFuture<T> call) throws Exception {
        try {
            return call.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        }
    }

    private static void expectError(ErrorCode code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
