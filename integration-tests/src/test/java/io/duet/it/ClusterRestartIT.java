package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** History and sequence numbers survive stopping and starting every process of the cluster. */
class ClusterRestartIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withOwnStorage(); // the restart includes HBase

    @Test
    void historyAndSequenceNumbersCarryOnAfterTheWholeClusterRestarts() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        RecordingListener annHears = new RecordingListener();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0)) {
            try (DuetClient bob = couple.connect(couple.bob, 1, new RecordingListener(), 0)) {
                for (int i = 0; i < 100; i++) {
                    String text = "before restart " + i;
                    acknowledged.put(text, bob.send(text).get(10, TimeUnit.SECONDS).getSeq());
                }
            }
            annHears.awaitMessages(100, WAIT);

            CLUSTER.get().stop();
            RecordingListener.await(WAIT, "ann to notice", () -> ann.state() != ConnectionState.CONNECTED);
            CLUSTER.get().start();

            // Ann's client was never closed: it reconnects and resumes by itself.
            RecordingListener.await(WAIT, "ann to reconnect", () -> ann.state() == ConnectionState.CONNECTED);
            RecordingListener bobHears = new RecordingListener();
            try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
                bobHears.awaitMessages(100, WAIT);
                for (int i = 0; i < 100; i++) {
                    String text = "after restart " + i;
                    long seq = bob.send(text).get(30, TimeUnit.SECONDS).getSeq();
                    acknowledged.put(text, seq);
                    assertThat(seq).as("sequence numbers carry on").isEqualTo(101 + i);
                }
                annHears.awaitMessages(200, WAIT);
                Thread.sleep(300);
                assertThat(DeliveryChecker.violations(annHears.snapshot(), 1, acknowledged)).isEmpty();
                assertThat(annHears.messages).hasSize(200);
                assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, Map.of())).isEmpty();
            }
        }
        List<Message> history = new ArrayList<>();
        long after = 0;
        HistoryPage page;
        do {
            page = TestCouple.http(CLUSTER.get(), 0, "ann-phone").fetchHistory(couple.ann.getToken(), after, 64);
            history.addAll(page.getMessages());
            after = history.get(history.size() - 1).getSeq();
        } while (page.isHasMore());
        assertThat(history).hasSize(200);
        assertThat(DeliveryChecker.violations(history, 1, acknowledged)).isEmpty();
    }
}
