package io.duet.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchedFlushTest {
    private final AtomicInteger flushes = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
        }
    });

    /** On a real event loop (an EmbeddedChannel runs its pending tasks on every write). */
    @Test
    void writesOfOneTaskGoOutInOneFlushAfterIt() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            List<Object> out = new ArrayList<>();
            EmbeddedChannelOnLoop target = new EmbeddedChannelOnLoop(loop, out);
            BatchedFlush writes = new BatchedFlush(target.channel);
            int flushedDuringTheTask = loop.submit(() -> {
                writes.write("a");
                writes.write("b");
                writes.write("c");
                return target.flushes.get();
            }).get(10, TimeUnit.SECONDS);
            assertThat(flushedDuringTheTask).isZero();
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            assertThat(target.flushes).hasValue(1);
            assertThat(loop.submit(() -> new ArrayList<>(out)).get(10, TimeUnit.SECONDS)).containsExactly("a", "b", "c");
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aWriteAfterAFlushQueuesTheNextOne() {
        BatchedFlush writes = new BatchedFlush(channel);
        writes.write("a");
        channel.runPendingTasks();
        writes.write("b");
        channel.runPendingTasks();
        assertThat(flushes).hasValue(2);
        assertThat(List.of(channel.readOutbound(), channel.readOutbound())).containsExactly("a", "b");
    }

    @Test
    void theListenerHearsOfTheWrite() {
        BatchedFlush writes = new BatchedFlush(channel);
        AtomicBoolean written = new AtomicBoolean();
        writes.write("a", future -> written.set(future.isSuccess()));
        channel.runPendingTasks();
        assertThat(written).isTrue();
    }

    /** Writers on other threads: every message is flushed, in each writer's order, however the tasks interleave. */
    @Test
    void writesFromOtherThreadsAreAllFlushedInOrder() throws Exception {
        DefaultEventLoop loop = new DefaultEventLoop();
        try {
            List<Object> out = new ArrayList<>();
            EmbeddedChannelOnLoop target = new EmbeddedChannelOnLoop(loop, out);
            BatchedFlush writes = new BatchedFlush(target.channel);
            int writers = 4;
            int each = 2000;
            CountDownLatch done = new CountDownLatch(writers);
            for (int w = 0; w < writers; w++) {
                int writer = w;
                new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        writes.write(writer + ":" + i);
                    }
                    done.countDown();
                }).start();
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            // Every write queued a task before the writer finished; one more turn of the loop flushes the rest.
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
            List<Object> flushed = loop.submit(() -> new ArrayList<>(out)).get(10, TimeUnit.SECONDS);
            assertThat(flushed).hasSize(writers * each);
            int[] next = new int[writers];
            for (Object message : flushed) {
                String[] parts = ((String) message).split(":");
                int writer = Integer.parseInt(parts[0]);
                assertThat(Integer.parseInt(parts[1])).isEqualTo(next[writer]++);
            }
            assertThat(target.flushes.get()).isLessThan(writers * each);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A channel registered on a real event loop that records what is flushed. */
    private static final class EmbeddedChannelOnLoop {
        final io.netty.channel.local.LocalChannel channel = new io.netty.channel.local.LocalChannel();
        final AtomicInteger flushes = new AtomicInteger();

        EmbeddedChannelOnLoop(DefaultEventLoop loop, List<Object> out) throws Exception {
            List<Object> unflushed = new ArrayList<>();
            channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                @Override
                public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
                    unflushed.add(msg);
                    promise.trySuccess();
                }

                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes.incrementAndGet();
                    out.addAll(unflushed);
                    unflushed.clear();
                }
            });
            loop.register(channel).get(10, TimeUnit.SECONDS);
        }
    }
}
