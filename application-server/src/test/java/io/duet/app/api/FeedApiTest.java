package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.PollEventsRequest;
import org.junit.jupiter.api.Test;

/** What a feed poll's cursors and bounds must be before it reaches the couple. */
class FeedApiTest {
    @Test
    void aPollThatCarriesOnFromTheRingNamesItsChangeCursorToo() {
        PollEventsRequest carryingOn = new PollEventsRequest(7).setStream(3).setAfterEvent(12);

        assertThat(FeedApi.problem(carryingOn)).contains("afterChange");
        assertThat(FeedApi.problem(carryingOn.setAfterChange(2))).isNull();
        assertThat(FeedApi.problem(new PollEventsRequest(0))).as("a first poll").isNull();
    }

    @Test
    void negativeCursorsAndBoundsAreRefused() {
        assertThat(FeedApi.problem(new PollEventsRequest(-1))).contains("afterSeq");
        assertThat(FeedApi.problem(new PollEventsRequest(0).setAfterChange(-1))).contains("afterChange");
        assertThat(FeedApi.problem(new PollEventsRequest(0).setStream(1))).contains("afterEvent");
        assertThat(FeedApi.problem(new PollEventsRequest(0).setWaitMillis(-1))).contains("waitMillis");
        assertThat(FeedApi.problem(new PollEventsRequest(0).setMaxEvents(0))).contains("maxEvents");
    }
}
