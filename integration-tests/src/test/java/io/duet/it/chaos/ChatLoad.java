package io.duet.it.chaos;

import io.duet.client.DuetClient;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.protocol.api.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live chat load for fault tests: both partners of several couples send continuously through the SDK,
 * each through a different presentation server, and every send is logged with when it was sent, when
 * (and as what sequence number) it was acknowledged, or why it failed. A sender keeps at most a bounded
 * number of sends unacknowledged, as a person waiting on a frozen chat would.
 */
public final class ChatLoad implements AutoCloseable {
    private final List<TestCouple> couples;
    private final List<Sender> senders = new ArrayList<>();
    private final Duration interval;
    private final int maxPending;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chat-load");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean sending;

    public ChatLoad(List<TestCouple> couples, Duration interval, int maxPending) {
        this.couples = couples;
        this.interval = interval;
        this.maxPending = maxPending;
    }

    /** Connects every partner (through presentation servers 0 and 1) and starts sending. */
    public ChatLoad start() throws Exception {
        for (int c = 0; c < couples.size(); c++) {
            TestCouple couple = couples.get(c);
            senders.add(connect(couple, couple.ann, "c" + c + "-ann", 0));
            senders.add(connect(couple, couple.bob, "c" + c + "-bob", 1));
        }
        sending = true;
        ticker.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private Sender connect(TestCouple couple, Session session, String name, int presentationServer) throws Exception {
        RecordingListener heard = new RecordingListener();
        DuetClient client = couple.connect(session, presentationServer, heard, 0);
        return new Sender(name, session.getUserId(), session.getCoupleId(), client, heard);
    }

    private void tick() {
        if (!sending) {
            return;
        }
        for (Sender sender : senders) {
            if (sender.pending.get() < maxPending) {
                sender.sendNext();
            }
        }
    }

    /** Stops sending and waits until every send is acknowledged or has failed. */
    public void stop(Duration timeout) throws InterruptedException {
        sending = false;
        RecordingListener.await(timeout, "every send to be acknowledged or failed",
                () -> senders.stream().allMatch(sender -> sender.pending.get() == 0));
    }

    public List<Sender> senders() {
        return senders;
    }

    /**
     * When the first message that either partner of {@code coupleId} sent after {@code nanos} was
     * acknowledged ({@link System#nanoTime()}), or 0 if none is yet: the moment the couple was served
     * again after a fault that began at {@code nanos}.
     */
    public long firstAckAfter(long coupleId, long nanos) {
        long first = 0;
        for (Sender sender : senders) {
            if (sender.coupleId != coupleId) {
                continue;
            }
            for (SendRecord record : sender.log) {
                if (record.sentNanos > nanos && record.acknowledged()) {
                    first = first == 0 ? record.ackNanos : Math.min(first, record.ackNanos);
                    break;
                }
            }
        }
        return first;
    }

    /** How many sends failed for good (the SDK gave up on them). */
    public long failedSends() {
        return senders.stream().flatMap(sender -> sender.log.stream()).filter(record -> record.failure != null).count();
    }

    /** The sends that failed for good, and why (at most {@code limit}), to explain a failed assertion. */
    public String failures(int limit) {
        return senders.stream().flatMap(sender -> sender.log.stream()).filter(record -> record.failure != null)
                .limit(limit).map(record -> record.text + ": " + record.failure)
                .collect(java.util.stream.Collectors.joining("; "));
    }

    @Override
    public void close() {
        sending = false;
        ticker.shutdownNow();
        senders.forEach(sender -> sender.client.close());
    }

    /** One partner's client and the log of its sends. */
    public static final class Sender {
        public final String name;
        public final long userId;
        public final long coupleId;
        public final DuetClient client;
        public final RecordingListener heard;
        public final List<SendRecord> log = new CopyOnWriteArrayList<>();
        final AtomicInteger pending = new AtomicInteger();

        Sender(String name, long userId, long coupleId, DuetClient client, RecordingListener heard) {
            this.name = name;
            this.userId = userId;
            this.coupleId = coupleId;
            this.client = client;
            this.heard = heard;
        }

        void sendNext() {
            SendRecord record = new SendRecord(log.size(), name + " says " + log.size(), System.nanoTime());
            log.add(record);
            pending.incrementAndGet();
            client.send(record.text).whenComplete((result, failure) -> {
                if (failure != null) {
                    record.failure = failure;
                } else {
                    record.seq = result.getSeq();
                    record.ackNanos = System.nanoTime();
                }
                pending.decrementAndGet();
            });
        }
    }

    /** One send: its place in its sender's order, and its outcome. */
    public static final class SendRecord {
        public final int index;
        public final String text;
        public final long sentNanos;
        public volatile long ackNanos;
        public volatile long seq;
        public volatile Throwable failure;

        SendRecord(int index, String text, long sentNanos) {
            this.index = index;
            this.text = text;
            this.sentNanos = sentNanos;
        }

        public boolean acknowledged() {
            return ackNanos != 0;
        }
    }
}
