package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStore.OrderKey;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A new owner that read the order streams' marks with its claim stores the first send of such a stream
 * without reading the row first. The table under the store records the calls it gets and answers none.
 */
class SendPipelineOrderMarksTest {
    private static final long COUPLE = 78;
    private static final long ANN = 1;
    private static final String STREAM = "phone-1";
    private static final OrderKey ANNS_STREAM = new OrderKey(ANN, STREAM);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<String> tableCalls = new CopyOnWriteArrayList<>();
    private final SerialExecutor executor = new SerialExecutor(Runnable::run, "couple-" + COUPLE);
    private final SendPipeline sends;

    SendPipelineOrderMarksTest() {
        AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(AsyncTable.class.getClassLoader(),
                new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> {
                    tableCalls.add(method.getName());
                    return new CompletableFuture<>();
                });
        AsyncConnection connection = (AsyncConnection) Proxy.newProxyInstance(AsyncConnection.class.getClassLoader(),
                new Class<?>[] {AsyncConnection.class},
                (proxy, method, args) -> method.getName().equals("getTable") ? table : null);
        CoupleStore store = new CoupleStore(connection, new HBaseSchema("none", 4), null, CoupleStoreSettings.defaults());
        CoupleLimits limits = CoupleLimits.builder().build();
        CoupleLog log = new CoupleLog(COUPLE, store, limits.recentMessages);
        log.startFrom(40);
        sends = new SendPipeline(COUPLE, executor, store, limits, timers, Clock.systemUTC(), log, new TestFence(),
                new SendPipeline.Owner() {
            @Override
            public void committed(List<Message> messages, long committedNanos) {
            }

            @Override
            public void storedMessageLost(long seq) {
            }
        });
    }

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private void send(String id, long ordinal, long afterOrdinal) {
        executor.execute(() -> sends.send(ANN, "phone", new SendMessageRequest(id, "text", 1)
                .setOrderStream(STREAM).setOrdinal(ordinal).setAfterOrdinal(afterOrdinal)));
    }

    @Test
    void theFirstSendAfterTheMarkIsCommittedWithoutARead() {
        executor.execute(() -> sends.loadedOrderMarks(Map.of(ANNS_STREAM, 5L)));
        send("m6", 6, 5);
        assertThat(tableCalls).containsExactly("checkAndMutate");
    }

    @Test
    void aSendAtOrBelowTheMarkIsLookedUpFirst() {
        executor.execute(() -> sends.loadedOrderMarks(Map.of(ANNS_STREAM, 5L)));
        send("m5", 5, 4);
        assertThat(tableCalls).containsExactly("get");
    }

    @Test
    void aStreamNotReadWithTheClaimIsReadAtItsFirstSend() {
        executor.execute(() -> sends.loadedOrderMarks(Map.of(new OrderKey(2, STREAM), 5L)));
        send("m6", 6, 5);
        assertThat(tableCalls).containsExactly("get");
    }
}
