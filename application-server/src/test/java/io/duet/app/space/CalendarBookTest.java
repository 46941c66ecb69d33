package io.duet.app.space;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.SetCalendarRequest;
import io.duet.protocol.storage.StoredCalendar;
import io.duet.protocol.thrift.ThriftCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalendarBookTest {
    private static final long ANN = 11;
    private static final long FENCE = 5L << 20;
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final CalendarBook book = new CalendarBook(SpaceLimits.defaults());

    @Test
    void settingTheCalendarKeepsTheFieldsANewerReleaseWrote() throws Exception {
        byte[] stored = ThriftCodec.INTERNAL.encode(new StoredCalendar().setStartDate("2020-02-02").setTimeZone("UTC"));
        // A string field 40 this release does not know (compact protocol), before the struct's stop byte.
        byte[] unknown = {0x08, 0x50, 0x03, 'z', 'q', '9'};
        byte[] newer = Arrays.copyOf(stored, stored.length + unknown.length);
        System.arraycopy(unknown, 0, newer, stored.length - 1, unknown.length);
        newer[newer.length - 1] = 0;
        book.load(newer, Map.of());

        Step<?> set = book.set(ANN, new SetCalendarRequest().setTimeZone("Europe/Paris"), NOW, FENCE);

        assertThat(set.qualifier()).isEqualTo(SpaceStore.calendarQualifier());
        byte[] rewritten = set.value();
        assertThat(new String(rewritten, StandardCharsets.ISO_8859_1)).contains("zq9");
        StoredCalendar decoded = ThriftCodec.INTERNAL.decode(rewritten, new StoredCalendar());
        assertThat(decoded.getStartDate()).isEqualTo("2020-02-02");
        assertThat(decoded.getTimeZone()).isEqualTo("Europe/Paris");
        assertThat(decoded.getFence()).isEqualTo(FENCE);

        // Applied, and set again: the unknown field survives a second rewrite too.
        set.apply();
        byte[] again = book.set(ANN, new SetCalendarRequest().setStartDate("2021-03-03"), NOW, FENCE).value();
        assertThat(new String(again, StandardCharsets.ISO_8859_1)).contains("zq9");
        assertThat(ThriftCodec.INTERNAL.decode(again, new StoredCalendar()).getTimeZone()).isEqualTo("Europe/Paris");
    }
}
