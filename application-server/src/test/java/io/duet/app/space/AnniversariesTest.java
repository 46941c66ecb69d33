package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.CalendarEvent;
import io.duet.protocol.api.EventKind;
import io.duet.protocol.api.UpcomingDate;
import io.duet.protocol.api.UpcomingKind;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnniversariesTest {
    private static final LocalDate START = LocalDate.of(2024, 1, 10);

    @Test
    void theStartDateIsDayOneAndDayOneHundredIsNinetyNineDaysLater() {
        assertThat(Anniversaries.dayCount(START, START)).isEqualTo(1);
        assertThat(Anniversaries.dayCount(START, START.plusDays(99))).isEqualTo(100);
        assertThat(Anniversaries.dayCount(START, START.minusDays(1))).isEqualTo(0);
        assertThat(Anniversaries.dateOfDayCount(START, 100)).isEqualTo(LocalDate.of(2024, 4, 18));
        assertThat(Anniversaries.dateOfDayCount(START, 1000)).isEqualTo(LocalDate.of(2026, 10, 5));
    }

    @Test
    void theDayCountDependsOnTheCouplesTimeZone() {
        // 2024-04-17T20:00Z: already April 18 in Seoul (day 100), still April 17 in New York (day 99).
        Instant instant = Instant.parse("2024-04-17T20:00:00Z");
        assertThat(Anniversaries.dayCount(START, LocalDate.ofInstant(instant, Anniversaries.parseZone("Asia/Seoul"))))
                .isEqualTo(100);
        assertThat(Anniversaries.dayCount(START, LocalDate.ofInstant(instant, Anniversaries.parseZone("America/New_York"))))
                .isEqualTo(99);
    }

    @Test
    void aFebruary29DateFallsOnFebruary28InCommonYears() {
        LocalDate leap = LocalDate.of(2024, 2, 29);
        assertThat(Anniversaries.inYear(leap, 2025)).isEqualTo(LocalDate.of(2025, 2, 28));
        assertThat(Anniversaries.inYear(leap, 2028)).isEqualTo(LocalDate.of(2028, 2, 29));
        assertThat(Anniversaries.nextYearly(leap, LocalDate.of(2025, 3, 1))).isEqualTo(LocalDate.of(2026, 2, 28));
        assertThat(Anniversaries.nextYearly(leap, LocalDate.of(2027, 12, 31))).isEqualTo(LocalDate.of(2028, 2, 29));
    }

    @Test
    void aYearlyDateRecursOnOrAfterTodayAndNeverBeforeItsFirstOccurrence() {
        LocalDate birthday = LocalDate.of(1995, 6, 1);
        assertThat(Anniversaries.nextYearly(birthday, LocalDate.of(2024, 6, 1))).isEqualTo(LocalDate.of(2024, 6, 1));
        assertThat(Anniversaries.nextYearly(birthday, LocalDate.of(2024, 6, 2))).isEqualTo(LocalDate.of(2025, 6, 1));
        LocalDate future = LocalDate.of(2030, 1, 1);
        assertThat(Anniversaries.nextYearly(future, LocalDate.of(2024, 6, 2))).isEqualTo(future);
    }

    @Test
    void upcomingListsDayCountsAnniversariesAndEventsSoonestFirst() {
        LocalDate today = LocalDate.of(2024, 4, 18); // day 100
        CalendarEvent birthday = new CalendarEvent().setEventId(7).setKind(EventKind.BIRTHDAY).setTitle("Ann's birthday")
                .setDate("1996-02-29").setRepeatsYearly(false);
        CalendarEvent trip = new CalendarEvent().setEventId(8).setKind(EventKind.CUSTOM).setTitle("Trip")
                .setDate("2024-05-01").setRepeatsYearly(false);
        CalendarEvent past = new CalendarEvent().setEventId(9).setKind(EventKind.CUSTOM).setTitle("Past")
                .setDate("2024-04-01").setRepeatsYearly(false);

        List<UpcomingDate> dates = Anniversaries.upcoming(today, START, List.of(birthday, trip, past), 6, 400);

        assertThat(dates).extracting(UpcomingDate::getDate).containsExactly(
                "2024-04-18", "2024-05-01", "2024-07-27", "2024-11-04", "2025-01-10", "2025-02-12");
        assertThat(dates.get(0)).satisfies(date -> {
            assertThat(date.getKind()).isEqualTo(UpcomingKind.DAY_COUNT);
            assertThat(date.getDayCount()).isEqualTo(100);
            assertThat(date.getDaysUntil()).isZero();
            assertThat(date.getTitle()).isEqualTo("100 days");
        });
        assertThat(dates.get(1).getEventId()).isEqualTo(8);
        assertThat(dates.get(4)).satisfies(date -> {
            assertThat(date.getKind()).isEqualTo(UpcomingKind.YEARS_TOGETHER);
            assertThat(date.getYears()).isEqualTo(1);
            assertThat(date.getTitle()).isEqualTo("1 year");
        });
        // The birthday repeats although its flag says no; 2025 is a common year.
        List<UpcomingDate> birthdays = Anniversaries.upcoming(today, null, List.of(birthday), 10, 400);
        assertThat(birthdays).singleElement().satisfies(date -> {
            assertThat(date.getDate()).isEqualTo("2025-02-28");
            assertThat(date.getKind()).isEqualTo(UpcomingKind.BIRTHDAY);
            assertThat(date.getYears()).isEqualTo(29);
        });
    }

    @Test
    void upcomingHonoursTheWindowAndTheLimit() {
        LocalDate today = LocalDate.of(2024, 4, 19); // day 101: the next day count is 200
        assertThat(Anniversaries.upcoming(today, START, List.of(), 10, 98)).isEmpty();
        assertThat(Anniversaries.upcoming(today, START, List.of(), 10, 99)).extracting(UpcomingDate::getDayCount)
                .containsExactly(200);
        List<UpcomingDate> tenYears = Anniversaries.upcoming(today, START, List.of(), 100, Anniversaries.MAX_WINDOW_DAYS);
        assertThat(tenYears).filteredOn(date -> date.getKind() == UpcomingKind.YEARS_TOGETHER).hasSize(10);
        assertThat(tenYears).filteredOn(date -> date.getKind() == UpcomingKind.DAY_COUNT)
                .extracting(UpcomingDate::getDayCount).startsWith(200, 300).contains(1000, 3700);
        assertThat(Anniversaries.upcoming(today, START, List.of(), 3, 3660)).hasSize(3);
    }

    @Test
    void aStartDateInTheFutureCountsFromItsFirstHundredDays() {
        LocalDate today = LocalDate.of(2024, 1, 1);
        assertThat(Anniversaries.upcoming(today, START, List.of(), 1, 400)).extracting(UpcomingDate::getDate)
                .containsExactly("2024-04-18");
    }

    @Test
    void onlyIanaZonesAndIsoDatesAreAccepted() {
        assertThat(Anniversaries.parseZone("Asia/Seoul").getId()).isEqualTo("Asia/Seoul");
        assertThatThrownBy(() -> Anniversaries.parseZone("+09:00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Anniversaries.parseZone("Mars/Olympus")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Anniversaries.parseZone(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Anniversaries.parseDate("date", "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThatThrownBy(() -> Anniversaries.parseDate("date", "2023-02-29")).hasMessageContaining("not a date");
        assertThatThrownBy(() -> Anniversaries.parseDate("date", "29/02/2024")).hasMessageContaining("not a date");
    }
}
