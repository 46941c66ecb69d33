package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When the couple's shard moves to another application server (here because its owner stops; it later
 * rejoins and shards are rebalanced again), the partners' connections stay up and nothing is lost,
 * duplicated or reordered; and HTTP calls made meanwhile follow the couple, so none of them fails.
 */
class ShardMoveIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster();

    @Test
    void connectionsStayUpAndNothingIsLostWhileTheCoupleMovesAwayAndBack() throws Exception {
        TestCouple couple = TestCouple.pair(CLUSTER.get());
        RecordingListener annHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (DuetClient ann = couple.connect(couple.ann, 0, annHears, 0);
                DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            Node owner = CLUSTER.get().applicationServerOwning(couple.ann.getCoupleId());
            // Meanwhile Ann's other app reads over HTTP: its calls follow the couple, none fails.
            DuetHttp annHttp = TestCouple.http(CLUSTER.get(), 0, TestCouple.ANN_DEVICE);
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicInteger httpReads = new AtomicInteger();
            List<Exception> httpFailures = new CopyOnWriteArrayList<>();
            Thread httpReader = new Thread(() -> {
                while (sending.get()) {
                    try {
                        annHttp.readState(couple.ann.getToken());
                        httpReads.incrementAndGet();
                        Thread.sleep(100); // 10 a second: within the device's limit on read-state calls
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        httpFailures.add(e);
                    }
                }
            }, "http-reader");
            httpReader.start();

            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                String text = "message " + i;
                sends.add((i % 2 == 0 ? ann : bob).send(text).thenAccept(r -> acknowledged.put(text, r.getSeq())));
                if (i == 100) {
                    owner.stop();
                }
                if (i == 300) {
                    owner.start();
                }
                Thread.sleep(15);
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
            sending.set(false);
            httpReader.join(WAIT.toMillis());
            assertThat(httpFailures).as("HTTP reads that failed across the moves (of %d that did not)", httpReads.get())
                    .isEmpty();
            assertThat(httpReads.get()).isGreaterThan(30);
            annHears.awaitMessages(400, WAIT);
            bobHears.awaitMessages(400, WAIT);
            Thread.sleep(300);

            assertThat(DeliveryChecker.violations(annHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(DeliveryChecker.violations(bobHears.snapshot(), 1, acknowledged)).isEmpty();
            assertThat(annHears.states).as("ann stayed connected").doesNotContain(ConnectionState.DISCONNECTED);
            assertThat(bobHears.states).as("bob stayed connected").doesNotContain(ConnectionState.DISCONNECTED);
            // The move away is announced on the open connection and answered by subscribing again. (When
            // the old owner rejoins, the leader may or may not hand this couple's shard back.)
            assertThat(annHears.states.stream().filter(ConnectionState.CONNECTED::equals).count()).isGreaterThanOrEqualTo(2);
            assertThat(bobHears.states.stream().filter(ConnectionState.CONNECTED::equals).count()).isGreaterThanOrEqualTo(2);
        }
    }
}
