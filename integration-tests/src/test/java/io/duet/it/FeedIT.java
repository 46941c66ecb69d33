package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.admin.DuetAdmin;
import io.duet.client.DuetFeed;
import io.duet.client.DuetHttp;
import io.duet.client.DuetListener;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.Memo;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.cluster.ShardMapView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code FeedService.pollEvents} over HTTP through the cluster's load balancer: an HTTP-only client follows
 * its couple and gets every kind of event a TCP session is pushed, in order, once; one that falls behind the
 * couple's ring of recent events (16 here), or whose couple moved to another server, is told to read its
 * state again and loses no message or change.
 */
class FeedIT {
    private static final int RING = 16;

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster()
            .withServerSetting("couples.feed.ring-events", Integer.toString(RING));

    /** Every callback, as a line. */
    private static final class Heard implements DuetListener {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(Message message) {
            lines.add("message " + message.getSeq() + " " + message.getText());
        }

        @Override
        public void onMessageChanged(Message message) {
            lines.add(message.isDeleted() ? "deleted " + message.getSeq() : "edited " + message.getSeq() + " "
                    + message.getText());
        }

        @Override
        public void onRead(long userId, long readUpTo) {
            lines.add("read " + userId + " " + readUpTo);
        }

        @Override
        public void onPartnerTyping(boolean typing) {
            lines.add("typing " + typing);
        }

        @Override
        public void onMemoChanged(long memoId, Memo memo, long changedBy) {
            lines.add("memo " + memoId + " " + (memo == null ? "deleted" : memo.getTitle()));
        }

        @Override
        public void onEventsLost() {
            lines.add("events lost");
        }

        void await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (lines.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(lines).as("heard").hasSizeGreaterThanOrEqualTo(count);
        }
    }

    @Test
    void anHttpClientFollowsEveryKindOfEventInOrderAndNothingTwice() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        DuetHttp annWeb = TestCouple.httpThroughEndpoint(cluster, "ann-web");
        DuetHttp bobHttp = TestCouple.httpThroughEndpoint(cluster, TestCouple.BOB_DEVICE);
        String bob = couple.bob.getToken();
        Heard heard = new Heard();
        try (DuetFeed feed = annWeb.follow(couple.ann::getToken, 0, 0L, false, heard)) {
            long seq = bobHttp.sendMessage(bob, UUID.randomUUID().toString(), "hello").getSeq();
            heard.await(1);
            bobHttp.editMessage(bob, seq, "hello again", null);
            heard.await(2);
            bobHttp.deleteMessage(bob, seq, null);
            heard.await(3);
            bobHttp.markRead(bob, seq);
            heard.await(4);
            bobHttp.setTyping(bob, true);
            heard.await(5);
            Memo memo = bobHttp.createMemo(bob, "groceries", "milk");
            heard.await(6);
            Thread.sleep(500); // anything twice would come by now

            assertThat(heard.lines).containsExactly("message " + seq + " hello", "edited " + seq + " hello again",
                    "deleted " + seq, "read " + couple.bob.getUserId() + " " + seq, "typing true",
                    "memo " + memo.getMemoId() + " groceries");
            assertThat(feed.afterSeq()).isEqualTo(seq);
            assertThat(feed.afterChange()).isEqualTo(2);
        }
    }

    @Test
    void aPollerThatFellBehindTheRingIsToldToReadStateAgainAndGetsEveryMessage() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        DuetHttp annWeb = TestCouple.httpThroughEndpoint(cluster, "ann-web");
        DuetHttp bobHttp = TestCouple.httpThroughEndpoint(cluster, TestCouple.BOB_DEVICE);
        FeedPage start = annWeb.pollEvents(couple.ann.getToken(), new PollEventsRequest(0).setAfterChange(0));
        assertThat(start.isEventsLost()).as("a first poll has lost nothing").isFalse();

        int sent = RING + 4;
        for (int i = 0; i < sent; i++) {
            bobHttp.sendMessage(couple.bob.getToken(), UUID.randomUUID().toString(), "m" + i);
        }
        List<String> texts = new ArrayList<>();
        FeedPage page = poll(annWeb, couple.ann.getToken(), start, 0);
        assertThat(page.isEventsLost()).as("the ring dropped events after the poller's cursor").isTrue();
        texts.addAll(texts(page));
        while (page.isHasMore()) {
            page = poll(annWeb, couple.ann.getToken(), page, 0);
            assertThat(page.isEventsLost()).isFalse();
            texts.addAll(texts(page));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
            expected.add("m" + i);
        }
        assertThat(texts).as("every message, from storage, once, in order").isEqualTo(expected);

        // Caught up: the next event comes live, from the ring.
        bobHttp.markRead(couple.bob.getToken(), page.getAfterSeq());
        FeedPage read = poll(annWeb, couple.ann.getToken(), page, 5000);
        assertThat(read.isEventsLost()).isFalse();
        assertThat(read.getEvents()).extracting(Event::isSetReadMark).containsExactly(true);
    }

    @Test
    void aPollerWhoseCoupleMovedIsToldToReadStateAgainAndLosesNoMessageOrChange() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        DuetHttp annWeb = TestCouple.httpThroughEndpoint(cluster, "ann-web");
        DuetHttp bobHttp = TestCouple.httpThroughEndpoint(cluster, TestCouple.BOB_DEVICE);
        String bob = couple.bob.getToken();
        long first = bobHttp.sendMessage(bob, UUID.randomUUID().toString(), "before the move").getSeq();
        FeedPage before = annWeb.pollEvents(couple.ann.getToken(), new PollEventsRequest(0).setAfterChange(0));
        assertThat(texts(before)).containsExactly("before the move");

        moveCouple(cluster, couple.ann.getCoupleId());
        bobHttp.editMessage(bob, first, "edited after the move", null);
        long second = bobHttp.sendMessage(bob, UUID.randomUUID().toString(), "after the move").getSeq();

        FeedPage after = poll(annWeb, couple.ann.getToken(), before, 0);
        assertThat(after.isEventsLost()).as("another server's memory").isTrue();
        assertThat(after.getEvents()).extracting(FeedIT::describe)
                .containsExactly("changed " + first + " edited after the move", "message " + second);
        assertThat(after.getAfterSeq()).isEqualTo(second);
        FeedPage quiet = poll(annWeb, couple.ann.getToken(), after, 0);
        assertThat(quiet.getEvents()).as("nothing twice").isEmpty();
        assertThat(quiet.isEventsLost()).isFalse();
    }

    @Test
    void badCursorsGetInvalidArgumentAndAPollWaitsAtMostItsWait() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        DuetHttp annWeb = TestCouple.httpThroughEndpoint(cluster, "ann-web");
        String ann = couple.ann.getToken();
        for (PollEventsRequest bad : List.of(new PollEventsRequest(-1), new PollEventsRequest(0).setWaitMillis(-1),
                new PollEventsRequest(0).setMaxEvents(0), new PollEventsRequest(0).setStream(5),
                new PollEventsRequest(0).setAfterChange(-2))) {
            assertThatThrownBy(() -> annWeb.pollEvents(ann, bad)).as(bad.toString())
                    .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        }
        FeedPage start = annWeb.pollEvents(ann, new PollEventsRequest(0));
        long began = System.nanoTime();
        FeedPage idle = poll(annWeb, ann, start, 400);
        long tookMillis = (System.nanoTime() - began) / 1_000_000;
        assertThat(idle.getEvents()).isEmpty();
        assertThat(tookMillis).isBetween(350L, 5_000L);
    }

    @Test
    void aUsersParkedPollsAreBoundedWithTheLongPollsOfSubscribe() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pairThroughEndpoint(cluster);
        DuetHttp annWeb = TestCouple.httpThroughEndpoint(cluster, "ann-web");
        String ann = couple.ann.getToken();
        FeedPage start = annWeb.pollEvents(ann, new PollEventsRequest(0));
        ExecutorService pollers = Executors.newFixedThreadPool(4);
        try {
            pollUntilBounded(cluster, couple, annWeb, start, pollers);
        } finally {
            pollers.shutdownNow();
        }
    }

    /** Four polls per user by default: three feed polls and one subscribe take them all; a fifth is refused. */
    private static void pollUntilBounded(LocalCluster cluster, TestCouple couple, DuetHttp annWeb, FeedPage start,
            ExecutorService pollers) throws Exception {
        String ann = couple.ann.getToken();
        List<CompletableFuture<FeedPage>> parked = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parked.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return poll(annWeb, ann, start, 5000);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }, pollers));
        }
        CompletableFuture<SubscribeResult> subscribe = CompletableFuture.supplyAsync(() -> {
            try {
                return annWeb.poll(ann, 0, 5000);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, pollers);
        Thread.sleep(1000);
        // RATE_LIMITED comes over HTTP as 429 (with Retry-After), which stock clients raise as a transport error.
        assertThatThrownBy(() -> poll(annWeb, ann, start, 5000)).isInstanceOf(TTransportException.class)
                .hasMessageContaining("429");

        TestCouple.httpThroughEndpoint(cluster, TestCouple.BOB_DEVICE).sendMessage(couple.bob.getToken(),
                UUID.randomUUID().toString(), "wakes them all");
        for (CompletableFuture<FeedPage> poll : parked) {
            assertThat(texts(poll.get(10, TimeUnit.SECONDS))).containsExactly("wakes them all");
        }
        assertThat(subscribe.get(10, TimeUnit.SECONDS).getMessages()).hasSize(1);
    }

    private static FeedPage poll(DuetHttp http, String token, FeedPage after, int waitMillis) throws Exception {
        return http.pollEvents(token, new PollEventsRequest(after.getAfterSeq()).setAfterChange(after.getAfterChange())
                .setStream(after.getStream()).setAfterEvent(after.getAfterEvent()).setWaitMillis(waitMillis));
    }

    private static List<String> texts(FeedPage page) {
        return page.getEvents().stream().filter(Event::isSetMessage).map(e -> e.getMessage().getMessage().getText())
                .collect(Collectors.toList());
    }

    private static String describe(Event event) {
        if (event.isSetMessageChanged()) {
            Message message = event.getMessageChanged().getMessage();
            return "changed " + message.getSeq() + " " + message.getText();
        }
        if (event.isSetMessage()) {
            return "message " + event.getMessage().getMessage().getSeq();
        }
        return event.getSetField().getFieldName();
    }

    /** Moves the couple's shard to the other application server with the operator tool. */
    private static void moveCouple(LocalCluster cluster, long coupleId) throws Exception {
        Node owner = cluster.applicationServerOwning(coupleId);
        ShardMapView map = cluster.shardMap().orElseThrow();
        Node other = cluster.applicationServers().stream().filter(node -> node != owner).findFirst().orElseThrow();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        int status = DuetAdmin.run(new String[] {"--zookeeper", cluster.zookeeperConnect(), "--cluster",
            cluster.clusterName(), "move", Integer.toString(map.shardOf(coupleId)),
            other.readyInfo().get("instance.id")}, print, print);
        assertThat(status).as(output.toString(StandardCharsets.UTF_8)).isZero();
        cluster.awaitShardMapSettled();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (cluster.applicationServerOwning(coupleId) != other && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(cluster.applicationServerOwning(coupleId)).as("the couple's new owner").isSameAs(other);
    }
}
