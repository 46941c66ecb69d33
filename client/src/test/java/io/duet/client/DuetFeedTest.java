package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.ReadEvent;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.TypingEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TException;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;

/** The HTTP feed: the server's pages to the listener, in order, with the cursors carried to the next poll. */
class DuetFeedTest {
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final List<PollEventsRequest> asked = new CopyOnWriteArrayList<>();
    private final List<Long> askedAtNanos = new CopyOnWriteArrayList<>();
    private final Deque<Object> answers = new ArrayDeque<>();

    /** A message the listener throws on, the first time it comes; 0 for none. */
    private volatile long throwOnceAt;

    private final DuetListener listener = new DuetListener() {
        @Override
        public void onMessage(Message message) {
            heard.add("message " + message.getSeq());
            if (message.getSeq() == throwOnceAt) {
                throwOnceAt = 0;
                throw new IllegalStateException("the app failed to store it");
            }
        }

        @Override
        public void onMessageChanged(Message message) {
            heard.add("changed " + message.getSeq());
        }

        @Override
        public void onPartnerTyping(boolean typing) {
            heard.add("typing " + typing);
        }

        @Override
        public void onRead(long userId, long readUpTo) {
            heard.add("read " + readUpTo);
        }

        @Override
        public void onEventsLost() {
            heard.add("lost");
        }

        @Override
        public void onSessionRejected(SessionErrorCode code, String message) {
            heard.add("rejected " + code);
        }

        @Override
        public void onConnectionChanged(ConnectionState state, String detail) {
            heard.add(state.name());
        }
    };

    /** Answers the polls with {@link #answers}, then with a NOT_PAIRED that stops the feed. */
    private FeedPage poll(String token, PollEventsRequest request) throws TException {
        asked.add(request.deepCopy());
        askedAtNanos.add(System.nanoTime());
        Object answer;
        synchronized (answers) {
            answer = answers.pollFirst();
        }
        if (answer instanceof FeedPage) {
            return (FeedPage) answer;
        }
        throw answer != null ? (TException) answer : new DuetError(ErrorCode.NOT_PAIRED).setMessage("the couple was closed");
    }

    private static Event message(long seq) {
        return Event.message(new MessageEvent(new Message().setSeq(seq)));
    }

    private void runToTheEnd(Long afterChange) throws Exception {
        DuetFeed feed = new DuetFeed(this::poll, () -> "token", 3, afterChange, true, listener);
        feed.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!heard.contains("CLOSED") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        feed.close();
    }

    @Test
    void eventsReachTheListenerInOrderAndEachPollCarriesTheLastPagesCursors() throws Exception {
        answers.add(new FeedPage(List.of(message(4), Event.messageChanged(new MessageChangedEvent(new Message().setSeq(4))
                .setChange(9))), 4, 9, 77, 12, false, false));
        answers.add(new FeedPage(List.of(Event.typing(new TypingEvent(2, true)), Event.readMark(new ReadEvent(2, 4))),
                4, 9, 77, 14, false, false));

        runToTheEnd(null);

        assertThat(heard).containsExactly("CONNECTED", "message 4", "changed 4", "typing true", "read 4",
                "rejected COUPLE_CLOSED", "CLOSED");
        assertThat(asked.get(0).getAfterSeq()).isEqualTo(3);
        assertThat(asked.get(0).isSetAfterChange()).as("none given: from now").isFalse();
        assertThat(asked.get(0).isSetStream()).isFalse();
        assertThat(asked.get(0).isNoEcho()).isTrue();
        assertThat(asked.get(1)).satisfies(second -> {
            assertThat(second.getAfterSeq()).isEqualTo(4);
            assertThat(second.getAfterChange()).isEqualTo(9);
            assertThat(second.getStream()).isEqualTo(77);
            assertThat(second.getAfterEvent()).isEqualTo(12);
        });
        assertThat(asked.get(2).getAfterEvent()).isEqualTo(14);
    }

    @Test
    void lostEventsAreSaidBeforeThePagesEventsAndFailuresForNowAreRetried() throws Exception {
        answers.add(new DuetError(ErrorCode.UNAVAILABLE).setMessage("moving").setRetryAfterMillis(10));
        answers.add(new FeedPage(List.of(message(4)), 4, 0, 78, 1, false, true));

        runToTheEnd(0L);

        assertThat(heard).containsExactly("DISCONNECTED", "CONNECTED", "lost", "message 4", "rejected COUPLE_CLOSED",
                "CLOSED");
        assertThat(asked.get(0).getAfterChange()).isZero();
        assertThat(asked.get(1)).as("the retry asks the same").isEqualTo(asked.get(0));
    }

    @Test
    void aPageWhoseEventTheListenerThrewOnComesAgain() throws Exception {
        FeedPage page = new FeedPage(List.of(message(4), message(5)), 5, 0, 77, 2, false, false);
        answers.add(page);
        answers.add(page.deepCopy());
        throwOnceAt = 5;

        runToTheEnd(0L);

        assertThat(heard).containsExactly("CONNECTED", "message 4", "message 5", "message 4", "message 5",
                "rejected COUPLE_CLOSED", "CLOSED");
        assertThat(asked.get(1)).as("asked again from where it was").isEqualTo(asked.get(0));
        assertThat(asked.get(2).getAfterSeq()).isEqualTo(5);
    }

    @Test
    void anInvalidTokenStopsTheFeed() throws Exception {
        answers.add(new DuetError(ErrorCode.UNAUTHENTICATED).setMessage("expired"));
        runToTheEnd(null);
        assertThat(heard).containsExactly("rejected TOKEN_INVALID", "CLOSED");
        assertThat(asked).hasSize(1);
    }

    @Test
    void anHttpRefusalIsRetriedAfterItsRetryAfter() throws Exception {
        // 150 ms asked for: without it, the feed would wait its own first pause, 1 s.
        answers.add(new HttpRefusedException(429, 150, new TTransportException("HTTP Response code: 429")));
        answers.add(new FeedPage(List.of(message(4)), 4, 0, 78, 1, false, false));

        runToTheEnd(0L);

        assertThat(heard).containsExactly("DISCONNECTED", "CONNECTED", "message 4", "rejected COUPLE_CLOSED", "CLOSED");
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(askedAtNanos.get(1) - askedAtNanos.get(0));
        assertThat(waitedMillis).isBetween(150L, 900L);
    }

    @Test
    void whatAServerAsksToWaitIsBounded() {
        assertThat(DuetFeed.pause(3_600_000, 0)).isEqualTo(DuetFeed.MAX_PAUSE_MILLIS);
        assertThat(DuetFeed.pause(2_000, 0)).isEqualTo(2_000);
        assertThat(DuetFeed.pause(0, 0)).isEqualTo(1_000);
        assertThat(DuetFeed.pause(0, 20_000)).isEqualTo(DuetFeed.MAX_PAUSE_MILLIS);
    }
}
