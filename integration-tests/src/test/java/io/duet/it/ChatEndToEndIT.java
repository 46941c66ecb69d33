package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
