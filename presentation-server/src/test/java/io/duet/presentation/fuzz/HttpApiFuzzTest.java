package io.duet.presentation.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.http.HttpApiInitializer;
import io.duet.presentation.http.HttpSettings;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.fuzz.FrameStreams;
import io.duet.protocol.fuzz.LeakCheckingAllocator;
import io.duet.protocol.token.TokenCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;

/**
 * The client HTTP API's pipeline, as {@link HttpApiInitializer} builds it, fed raw request bytes in an
 * {@link EmbeddedChannel}. There is no shard map, so the requests that get past parsing, the path, the
 * method, the content type, the Thrift message header and the token are answered 503: the relay beyond is
 * fuzzed by {@code RelayFrameCodecFuzzTest} and the application server's decoding by {@code
 * ClientRequestFuzzTest}. Input: byte 0 picks the size of the reads (1 to 256 bytes); the rest is what the
 * client sends. Properties:
 *
 * <ul>
 *   <li>no exception is raised anywhere in the pipeline, except, once the connection is closed (the client
 *       hung up at the end of the input, or the server closed it), the aggregator's {@code
 *       PrematureChannelClosureException} for a request cut short and a {@code ClosedChannelException} for
 *       what the codec still decoded from the last read and tried to answer;
 *   <li>every request that reaches the API handler while the connection is open is answered once, with a
 *       status the handler documents, and one decoded after it closed is not;
 *   <li>nothing is read after the connection closed, and every buffer is released.
 * </ul>
 */
class HttpApiFuzzTest {
    /**
     * Statuses this setup can answer with: 100 and 417 come from the aggregator's handling of Expect. Not
     * 500: the handler has no such answer, and an exception in it closes the connection unanswered, which
     * the observer reports as a request without an answer.
     */
    private static final Set<Integer> STATUSES = Set.of(100, 400, 401, 404, 405, 413, 415, 417, 503, 505);
    private static final CuratorFramework NEVER_STARTED =
            CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(1));
    private static final Authenticator AUTHENTICATOR = new Authenticator(
            TokenCodec.create("a-fuzzing-secret-that-is-at-least-32-bytes-long", List.of(), Clock.systemUTC()),
            new Revocations(Clock.systemUTC()));
    private static final RoutingTable NO_ROUTES = new RoutingTable(new ShardMapWatcher(NEVER_STARTED));

    private final LeakCheckingAllocator allocator = new LeakCheckingAllocator();

    @AfterAll
    static void closeCurator() {
        NEVER_STARTED.close();
    }

    @FuzzTest
    void httpRequests(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int chunk = 1 + (input[0] & 0xff);
        byte[] stream = FrameStreams.rest(input, 1);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(allocator);
        // No relay links are needed: nothing is routed without a shard map.
        channel.pipeline().addLast(new HttpApiInitializer(AUTHENTICATOR, NO_ROUTES, null, HttpSettings.defaults()));
        Observer observer = new Observer();
        channel.pipeline().addAfter("codec", "statuses", observer.statuses);
        channel.pipeline().addBefore("api", "answers", observer);

        for (int offset = 0, length; offset < stream.length && channel.isOpen(); offset += length) {
            length = Math.min(chunk, stream.length - offset);
            channel.writeInbound(allocator.buffer(length).writeBytes(stream, offset, length));
            releaseOutbound(channel);
        }
        channel.finishAndReleaseAll();
        assertThat(observer.problems).isEmpty();
        assertThat(observer.statuses.seen).allMatch(STATUSES::contains, "a documented status");
        allocator.assertAllReleased();
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            assertThat(out).isInstanceOf(ByteBuf.class);
            ReferenceCountUtil.release(out);
        }
    }

    /**
     * Sits in front of the API handler: records every exception that reaches it (none should, but
     * those of a connection already closed: the handler would close the connection without a word) and every request the handler did not answer at once
     * (here every answer is immediate, as nothing waits for an application server).
     */
    private static final class Observer extends ChannelDuplexHandler {
        final List<String> problems = new ArrayList<>();
        final Statuses statuses = new Statuses();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof FullHttpRequest)) {
                problems.add("the API handler was handed a " + msg.getClass().getName());
                ctx.fireChannelRead(msg);
                return;
            }
            String request = ((FullHttpRequest) msg).method() + " " + ((FullHttpRequest) msg).uri();
            // A request decoded after the connection closed (from the rest of the last read) has nobody to answer.
            int expected = ctx.channel().isOpen() ? 1 : 0;
            int before = statuses.seen.size();
            ctx.fireChannelRead(msg);
            if (statuses.seen.size() != before + expected) {
                problems.add((statuses.seen.size() - before) + " answers to " + request);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            boolean closing = cause instanceof PrematureChannelClosureException
                    || cause instanceof ClosedChannelException;
            if (!(closing && !ctx.channel().isOpen())) {
                problems.add("exception: " + cause);
            }
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Sits behind the HTTP codec: records the status of every response written. */
    private static final class Statuses extends ChannelDuplexHandler {
        final List<Integer> seen = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse) {
                seen.add(((HttpResponse) msg).status().code());
            }
            ctx.write(msg, promise);
        }
    }
}
