package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetClient;
import io.duet.client.DuetClientBuilder;
import io.duet.client.DuetHttp;
import io.duet.client.DuetTls;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.SubscribeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A couple chatting through the whole stack: each partner on a different presentation server, the
 * couple owned by one of two application servers, messages stored in HBase.
 */
class ChatEndToEndIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SharedCluster.get();
    }

    @Test
    void thousandMessagesInBothDirectionsReachBothPartnersInOrderExactlyOnce() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            List<CompletableFuture<SendMessageResult>> sends = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                String text = (i % 2 == 0 ? "ann " : "bob ") + i;
                CompletableFuture<SendMessageResult> sent = (i % 2 == 0 ? ann : bob).send(text);
                sent.thenAccept(result -> acknowledged.put(text, result.getSeq()));
                sends.add(sent);
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            assertThat(acknowledged.values()).doesNotHaveDuplicates().hasSize(1000);

            bobHears.awaitMessages(1000, WAIT);
            annHears.awaitMessages(1000, WAIT);
            Thread.sleep(300);
            assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(DeliveryChecker.violations(annHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(bobHears.messages).hasSize(1000);
            assertThat(annHears.messages).hasSize(1000);
            assertThat(bob.lastSeq()).isEqualTo(1000);
        }
    }

    /**
     * Ann has no token: her app signs up over its TCP connection, before AUTH, and authenticates that
     * connection with the token it got. Bob pairs with her (over HTTP); her session picks up the couple,
     * and they chat. A log-in with a wrong password over TCP fails with the same error as over HTTP.
     */
    @Test
    void aClientWithNoTokenSignsUpOverTcpThenChats() throws Exception {
        String email = TestCouple.uniqueEmail("ann-tcp");
        RecordingListener annHears = new RecordingListener();
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        Session bob = bobHttp.signUp(TestCouple.uniqueEmail("bob"), "bob's password", "Bob");
        try (DuetClient ann = tcpClient(annHears).signUp(new SignUpRequest(email, "ann's tcp password", "Ann",
                "ann-tcp-phone")).build()) {
            ann.connect().get(30, TimeUnit.SECONDS);
            RecordingListener.await(WAIT, "the session got by signing up", () -> !annHears.refreshed.isEmpty());
            assertThat(annHears.refreshed).as("the session got by signing up, for the app to store").hasSize(1);
            Session annSession = annHears.refreshed.get(0);
            assertThat(annSession.getUserId()).isNotZero();
            assertThat(annSession.isSetRefreshToken()).isTrue();

            DuetHttp annHttp = TestCouple.http(cluster, 0, "ann-tcp-phone");
            String code = annHttp.createInvite(annSession.getToken()).getCode();
            Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code);
            RecordingListener.await(WAIT, "Ann's session to pick up the couple", () -> ann.coupleId() != 0);
            assertThat(ann.coupleId()).isEqualTo(bobPaired.getCoupleId());

            SendMessageResult fromBob = bobHttp.sendMessage(bobPaired.getToken(), "b-1", "hi ann");
            RecordingListener.await(WAIT, "Ann hears Bob", () -> annHears.messages.stream()
                    .anyMatch(m -> m.getSeq() == fromBob.getSeq()));
            SendMessageResult fromAnn = ann.send("hi bob").get(30, TimeUnit.SECONDS);
            assertThat(bobHttp.fetchHistory(bobPaired.getToken(), 0, 10).getMessages())
                    .extracting(Message::getText).containsExactly("hi ann", "hi bob");
            assertThat(fromAnn.getSeq()).isGreaterThan(fromBob.getSeq());
        }

        try (DuetClient wrong = tcpClient(new RecordingListener()).logIn(new LogInRequest(email, "not the password",
                "ann-tablet")).build()) {
            assertThatThrownBy(() -> wrong.connect().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(DuetError.class)
                    .satisfies(e -> assertThat(((DuetError) e.getCause()).getCode())
                            .isEqualTo(ErrorCode.UNAUTHENTICATED));
        }
    }

    private static DuetClientBuilder tcpClient(RecordingListener listener) {
        DuetClientBuilder builder = DuetClient.builder()
                .server(cluster.clientTcpEndpoint(0))
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                .listener(listener);
        DuetTls tls = TestCouple.tls(cluster);
        return tls == null ? builder : builder.tls(tls);
    }

    /**
     * Over HTTP, subscribe is a long poll: with nothing after afterSeq it waits, returns the message the
     * partner sends meanwhile, and with nothing new it returns empty once its wait is over.
     */
    @Test
    void anHttpLongPollReturnsTheMessageThePartnerSendsWhileItWaits() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String bob = couple.bob.getToken();
        assertThat(bobHttp.poll(bob, 0, 0).getMessages()).as("no wait asked: at once").isEmpty();

        CompletableFuture<SubscribeResult> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return bobHttp.poll(bob, 0, 20_000);
            } catch (TException e) {
                throw new CompletionException(e);
            }
        });
        Thread.sleep(500);
        assertThat(waiting).as("parked: nothing after seq 0 yet").isNotDone();
        SendMessageResult sent = annHttp.sendMessage(couple.ann.getToken(), "lp-1", "are you polling?");
        SubscribeResult got = waiting.get(10, TimeUnit.SECONDS);
        assertThat(got.getMessages()).extracting(Message::getSeq).containsExactly(sent.getSeq());
        assertThat(got.isHasMore()).isFalse();
        assertThat(got.getLatestSeq()).isEqualTo(sent.getSeq());

        long start = System.nanoTime();
        SubscribeResult none = bobHttp.poll(bob, sent.getSeq(), 1000);
        assertThat(none.getMessages()).isEmpty();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("waited").isGreaterThanOrEqualTo(900);
    }

    @Test
    void typingOnAndOffReachesThePartner() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            bob.setTyping(true).get(10, TimeUnit.SECONDS);
            RecordingListener.await(WAIT, "typing on", () -> annHears.partnerTyping.contains(true));
            bob.setTyping(false).get(10, TimeUnit.SECONDS);
            RecordingListener.await(WAIT, "typing off", () -> annHears.partnerTyping.size() >= 2);
            assertThat(annHears.partnerTyping).containsExactly(true, false);
            assertThat(bobHears.partnerTyping).as("nobody hears their own typing").isEmpty();
        }
    }

    @Test
    void typingTurnsItselfOffWhenNotRefreshed() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener annHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0);
                DuetClient bob = couple.connect(couple.bob, 1, new RecordingListener(), 0)) {
            bob.setTyping(true).get(10, TimeUnit.SECONDS);
            RecordingListener.await(Duration.ofSeconds(20), "typing to expire", () -> annHears.partnerTyping.size() >= 2);
            assertThat(annHears.partnerTyping).containsExactly(true, false);
        }
    }

    @Test
    void reconnectingWithTheLastSequenceGetsEveryMissedMessageAndNoDuplicates() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            long bobLastSeq;
            try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
                for (int i = 0; i < 50; i++) {
                    String text = "before " + i;
                    acknowledged.put(text, ann.send(text).get(10, TimeUnit.SECONDS).getSeq());
                }
                bobHears.awaitMessages(50, WAIT);
                // The cursor moves once the listener returned, right after it recorded the message.
                RecordingListener.await(WAIT, "Bob's cursor at 50", () -> bob.lastSeq() == 50);
                bobLastSeq = bob.lastSeq();
            }
            assertThat(bobLastSeq).isEqualTo(50);
            // Bob is offline: 600 more messages, more than the server keeps in memory for a couple.
            for (int i = 0; i < 600; i++) {
                String text = "missed " + i;
                ann.send(text).thenAccept(result -> acknowledged.put(text, result.getSeq()));
            }
            String last = "missed 599";
            RecordingListener.await(WAIT, "all sends acknowledged", () -> acknowledged.containsKey(last));

            RecordingListener bobAgain = new RecordingListener();
            try (DuetClient bob = couple.connect(couple.bob, 0, bobAgain, bobLastSeq)) {
                bobAgain.awaitMessages(600, WAIT);
                Thread.sleep(300);
                List<Message> all = new ArrayList<>(bobHears.snapshot());
                all.addAll(bobAgain.snapshot());
                assertThat(bobAgain.messages).hasSize(600);
                assertThat(bobAgain.messages.get(0).getSeq()).isEqualTo(51);
                assertThat(DeliveryChecker.violations(all, 1, acknowledged)).isEmpty();
                assertThat(bob.lastSeq()).isEqualTo(650);
            }
        }
    }

    @Test
    void partnersOnTheSamePresentationServerChatToo() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 1, new RecordingListener(), 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            assertThat(ann.send("same server").get(10, TimeUnit.SECONDS).getSeq()).isEqualTo(1);
            bobHears.awaitMessages(1, WAIT);
            assertThat(bobHears.messages.get(0).getText()).isEqualTo("same server");
        }
    }
}
