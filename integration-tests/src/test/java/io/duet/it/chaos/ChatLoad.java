package io.duet.it.chaos;

import io.duet.client.DuetClient;
import io.duet.it.RecordingListener;
import io.duet.it.TestCouple;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p>Each partner has two devices: the phone that sends (the session the couple paired with), and a
 * tablet that only receives, logged in as the same user with its own device id and connected through
 * the <em>other</em> presentation server. Ann's phone is on presentation server 0 and her tablet on 1;
 * Bob's phone on 1 and his tablet on 0. So every message must reach four devices, on both servers.
 * {@link #throughEndpoint()} connects every device through the cluster's one client endpoint instead,
 * which spreads them over the presentation servers by itself.
 *
 * <p>Every {@value #OTHER_CALLS_EVERY}th send of a phone also marks what it has read and fetches the newest
 * page of history, as an app does; those calls must be carried across moves too ({@link #failedCalls()}).
 */
public final class ChatLoad implements AutoCloseable {
    /** The device id of each partner's receive-only device. */
    static final String ANN_TABLET = "ann-tablet";
    static final String BOB_TABLET = "bob-tablet";
    /** A device's {@code presentationServer} when it connects through the one client endpoint. */
    public static final int THROUGH_ENDPOINT = -1;
    /** A phone makes its other calls (a read mark, a history page) along with every this many sends. */
    static final int OTHER_CALLS_EVERY = 10;
    /**
     * How often each phone sends under the chaos tests' light load: every 100 ms, 20 messages/s a couple. At
     * 40 ms, on a slower 2-core box (Intel Xeon at 2.0 GHz, where cluster starts took 42-57 s against 23), the
     * load alone kept the box saturated, its own p99 over 1 s, so that the tests measured the box rather than
     * the fault (FailoverIT's kill p99 2,637 ms in CI; a server restarted under RollingDeployIT's load was not
     * ready within 90 s).
     */
    public static final Duration LIGHT_SEND_INTERVAL = Duration.ofMillis(100);

    private final List<TestCouple> couples;
    private final List<Sender> senders = new ArrayList<>();
    private final List<Device> devices = new ArrayList<>();
    private final Duration interval;
    private final int maxPending;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "chat-load");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean sending;
    private boolean throughEndpoint;

    public ChatLoad(List<TestCouple> couples, Duration interval, int maxPending) {
        this.couples = couples;
        this.interval = interval;
        this.maxPending = maxPending;
    }

    /** Before {@link #start()}: every device connects (and reconnects) through the one client endpoint. */
    public ChatLoad throughEndpoint() {
        this.throughEndpoint = true;
        return this;
    }

    /**
     * Connects every device (each partner's phone through one presentation server, their tablet through
     * the other), all resuming from the start of the conversation, and starts sending from the phones.
     */
    public ChatLoad start() throws Exception {
        long start = System.nanoTime();
        for (int c = 0; c < couples.size(); c++) {
            TestCouple couple = couples.get(c);
            String prefix = "c" + c + "-";
            Sender ann = connectSender(couple, couple.ann, prefix + "ann", TestCouple.ANN_DEVICE, 0);
            Sender bob = connectSender(couple, couple.bob, prefix + "bob", TestCouple.BOB_DEVICE, 1);
            senders.add(ann);
            senders.add(bob);
            devices.add(ann);
            devices.add(connectReceiver(couple, couple.ann, prefix + ANN_TABLET, ANN_TABLET, 1));
            devices.add(bob);
            devices.add(connectReceiver(couple, couple.bob, prefix + BOB_TABLET, BOB_TABLET, 0));
        }
        StringBuilder ids = new StringBuilder();
        for (int c = 0; c < couples.size(); c++) {
            ids.append(c == 0 ? "" : ", ").append('c').append(c).append('=').append(couples.get(c).ann.getCoupleId());
        }
        // The couple ids name the couples in the servers' logs, for a post-mortem of a slow send.
        System.out.printf("ChatLoad: %d devices of %d couples connected in %d ms (%s)%n", devices.size(), couples.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), ids);
        sending = true;
        ticker.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private Sender connectSender(TestCouple couple, Session session, String name, String deviceId,
            int presentationServer) throws Exception {
        RecordingListener heard = new RecordingListener();
        DuetClient client = connect(couple, session, presentationServer, heard);
        return new Sender(name, session.getUserId(), session.getCoupleId(), deviceId, via(presentationServer), client,
                heard);
    }

    private Device connectReceiver(TestCouple couple, Session user, String name, String deviceId,
            int presentationServer) throws Exception {
        Session session = couple.logInOnDevice(user, presentationServer, deviceId);
        RecordingListener heard = new RecordingListener();
        DuetClient client = connect(couple, session, presentationServer, heard);
        return new Device(name, session.getUserId(), session.getCoupleId(), deviceId, via(presentationServer), client,
                heard);
    }

    private DuetClient connect(TestCouple couple, Session session, int presentationServer, RecordingListener heard)
            throws Exception {
        return throughEndpoint ? couple.connectThroughEndpoint(session, heard, 0)
                : couple.connect(session, presentationServer, heard, 0);
    }

    private int via(int presentationServer) {
        return throughEndpoint ? THROUGH_ENDPOINT : presentationServer;
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

    /** The devices that send: each partner's phone. */
    public List<Sender> senders() {
        return Collections.unmodifiableList(senders);
    }

    /** Every device of every partner: the phones that send and the tablets that only receive. */
    public List<Device> devices() {
        return Collections.unmodifiableList(devices);
    }

    /**
     * When {@code coupleId} was served again after a fault that began at {@code nanos} ({@link
     * System#nanoTime()}): the moment both partners had a message they sent after {@code nanos}
     * acknowledged, that is the later of the two partners' first such acknowledgements; 0 while either
     * partner has none yet. One partner served does not make the couple served.
     */
    public long servedAgainAt(long coupleId, long nanos) {
        long servedAt = 0;
        for (Sender sender : senders) {
            if (sender.coupleId != coupleId) {
                continue;
            }
            long first = 0;
            for (SendRecord record : sender.log) {
                if (record.sentNanos > nanos && record.acknowledged()) {
                    first = first == 0 ? record.ackNanos : Math.min(first, record.ackNanos);
                }
            }
            if (first == 0) {
                return 0;
            }
            servedAt = Math.max(servedAt, first);
        }
        return servedAt;
    }

    /** How many sends failed for good (the SDK gave up on them). */
    public long failedSends() {
        return senders.stream().flatMap(sender -> sender.log.stream()).filter(record -> record.failure != null).count();
    }

    /** How many calls other than sends (read marks, history pages) were made, and how many failed. */
    public long otherCalls() {
        return senders.stream().mapToLong(sender -> sender.otherCalls.get()).sum();
    }

    public long failedCalls() {
        return senders.stream().mapToLong(sender -> sender.callFailures.size()).sum();
    }

    /** The other calls that failed, and why (at most {@code limit}). */
    public String callFailures(int limit) {
        return senders.stream().flatMap(sender -> sender.callFailures.stream()).limit(limit)
                .collect(java.util.stream.Collectors.joining("; "));
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
        devices.forEach(device -> device.client.close());
    }

    /** One device of a partner: a client logged in with its own device id, and what its listener heard. */
    public static class Device {
        /** For example {@code c0-ann} (Ann's phone in the first couple) or {@code c0-ann-tablet}. */
        public final String name;
        public final long userId;
        public final long coupleId;
        public final String deviceId;
        /** The index of the presentation server it connects to, or {@link #THROUGH_ENDPOINT}. */
        public final int presentationServer;
        public final DuetClient client;
        public final RecordingListener heard;

        Device(String name, long userId, long coupleId, String deviceId, int presentationServer, DuetClient client,
                RecordingListener heard) {
            this.name = name;
            this.userId = userId;
            this.coupleId = coupleId;
            this.deviceId = deviceId;
            this.presentationServer = presentationServer;
            this.client = client;
            this.heard = heard;
        }

        public boolean sends() {
            return false;
        }

        /**
         * The newest sequence number handed to the listener, as a message or inside a range the server
         * reported lost; 0 before any.
         */
        public long lastDelivered() {
            return lastDelivered(heard.messages, heard.missing);
        }

        static long lastDelivered(List<Message> messages, List<String> missing) {
            long last = messages.isEmpty() ? 0 : messages.get(messages.size() - 1).getSeq();
            if (!missing.isEmpty()) {
                String range = missing.get(missing.size() - 1);
                last = Math.max(last, Long.parseLong(range.substring(range.indexOf("..") + 2)));
            }
            return last;
        }

        /** The name, the device id, whether it sends and its presentation server, for a violation. */
        public String describe() {
            return describe(name, deviceId, sends(), presentationServer);
        }

        static String describe(String name, String deviceId, boolean sends, int presentationServer) {
            return name + " (device " + deviceId + ", " + (sends ? "sends" : "receive-only") + ", "
                    + (presentationServer == THROUGH_ENDPOINT ? "through the endpoint"
                            : "via presentation server " + presentationServer) + ")";
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A partner's device that sends, and the log of its sends. */
    public static final class Sender extends Device {
        public final List<SendRecord> log = new CopyOnWriteArrayList<>();
        final AtomicInteger pending = new AtomicInteger();
        final AtomicInteger otherCalls = new AtomicInteger();
        final List<String> callFailures = new CopyOnWriteArrayList<>();

        Sender(String name, long userId, long coupleId, String deviceId, int presentationServer, DuetClient client,
                RecordingListener heard) {
            super(name, userId, coupleId, deviceId, presentationServer, client, heard);
        }

        @Override
        public boolean sends() {
            return true;
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
            if (record.index % OTHER_CALLS_EVERY == OTHER_CALLS_EVERY - 1) {
                otherCalls.addAndGet(2);
                long read = lastDelivered();
                client.markRead(read).whenComplete((result, failure) -> callFailed("markRead " + read, failure));
                client.fetchHistoryBefore(Long.MAX_VALUE, 20)
                        .whenComplete((page, failure) -> callFailed("fetchHistory", failure));
            }
        }

        private void callFailed(String call, Throwable failure) {
            if (failure != null) {
                callFailures.add(name + " " + call + ": " + failure);
            }
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
