package io.duet.client.cli;

import static io.duet.client.ConnectionState.CLOSED;
import static io.duet.client.ConnectionState.CONNECTED;
import static io.duet.client.ConnectionState.CONNECTING;
import static io.duet.client.ConnectionState.DISCONNECTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionNoticesTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ConnectionNotices notices = new ConnectionNotices(now::get);

    @Test
    void aFirstConnectSaysNothingAndALossSaysOnceHowManyWait() {
        assertThat(notices.stateChanged(CONNECTING, "connecting", 0)).isEmpty();
        assertThat(notices.stateChanged(CONNECTED, "subscribed", 0)).isEmpty();
        assertThat(notices.isDown()).isFalse();

        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 2))
                .hasValue("(connection lost: connection closed; reconnecting; 2 messages waiting)");
        assertThat(notices.isDown()).isTrue();
        for (int attempt = 0; attempt < 20; attempt++) {
            now.addAndGet(1_000);
            assertThat(notices.stateChanged(CONNECTING, "connecting", 3)).isEmpty();
            assertThat(notices.stateChanged(DISCONNECTED, "cannot connect", 3)).as("attempt " + attempt).isEmpty();
        }
        assertThat(notices.stateChanged(CONNECTED, "subscribed", 1))
                .hasValue("(reconnected; sending 1 message waiting)");
        assertThat(notices.isDown()).isFalse();
    }

    @Test
    void aLongOutageGetsAReminderAtMostEveryInterval() {
        notices.stateChanged(CONNECTED, "subscribed", 0);
        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 0))
                .hasValue("(connection lost: connection closed; reconnecting)");
        long interval = ConnectionNotices.REMINDER_INTERVAL.toMillis();
        now.addAndGet(interval - 1);
        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 4)).isEmpty();
        now.addAndGet(1);
        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 4))
                .hasValue("(still reconnecting: connection closed; 4 messages waiting)");
        now.addAndGet(interval / 2);
        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 4)).isEmpty();
        assertThat(notices.stateChanged(CONNECTED, "subscribed", 0)).hasValue("(reconnected)");
    }

    @Test
    void aChatThatCannotConnectAtFirstSaysSoAndThenThatItConnected() {
        assertThat(notices.stateChanged(DISCONNECTED, "cannot connect: refused", 0))
                .hasValue("(not connected: cannot connect: refused; reconnecting)");
        assertThat(notices.stateChanged(CONNECTED, "subscribed", 5)).hasValue("(connected; sending 5 messages waiting)");
        assertThat(notices.stateChanged(DISCONNECTED, "connection closed", 0)).get().asString()
                .startsWith("(connection lost");
    }

    @Test
    void closingSaysNothing() {
        notices.stateChanged(CONNECTED, "subscribed", 0);
        assertThat(notices.stateChanged(CLOSED, "closed by the application", 3)).isEmpty();
    }
}
