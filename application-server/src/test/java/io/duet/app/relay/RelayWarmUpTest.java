package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.relay.HelloAck;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayLinkFraming;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.security.RelayTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.thrift.TBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up's calls as a relay server sees them, against a stand-in server that answers like the
 * application server's chat API (the real path runs at every start of a server with production's settings:
 * the shared test cluster, the integration tests with production's JIT, CoupleActorIT).
 */
class RelayWarmUpTest {
    private static final long COUPLE = Long.MIN_VALUE + 7;
    private static final long ANN = -1;
    private static final long BOB = -2;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final StandIn server = new StandIn();
    private Channel listener;

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private RelayWarmUp warmUp(int sends) throws InterruptedException {
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        RelayLinkFraming.addServerHandlers(channel, RelayTls.disabled());
                        channel.pipeline().addLast(server);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new RelayWarmUp(RelayTls.disabled(), group, (InetSocketAddress) listener.localAddress(), "warm-up-test",
                sends);
    }

    @Test
    void callsLikeClientsSessionsAndWaitsForEveryAnswer() throws Exception {
        warmUp(10).run(COUPLE, ANN, BOB, 10_000);

        assertThat(server.opened.get(1L).getPrincipal().getUserId()).as("the partner's session").isEqualTo(BOB);
        assertThat(server.opened.get(2L).getPrincipal().getUserId()).isEqualTo(ANN);
        assertThat(server.opened.get(3L).getPrincipal().getUserId()).isEqualTo(ANN);
        assertThat(server.opened.values()).allSatisfy(open -> {
            assertThat(open.getKind()).isEqualTo(StreamKind.SESSION);
            assertThat(open.getPrincipal().getCoupleId()).isEqualTo(COUPLE);
            assertThat(open.isSetInitialCredit()).as("flow-controlled, like a presentation server's").isTrue();
        });
        assertThat(server.calls).as("subscribed before the sends; the partner's calls after them").containsExactly(
                "1 chat:subscribe",
                "2 chat:sendMessage 1", "3 chat:sendMessage 1", "2 chat:sendMessage 2", "3 chat:sendMessage 2",
                "2 chat:sendMessage 3", "3 chat:sendMessage 3", "2 chat:sendMessage 4", "3 chat:sendMessage 4",
                "2 chat:sendMessage 5", "3 chat:sendMessage 5",
                "1 chat:setTyping", "1 chat:fetchHistory", "1 chat:markRead 10");
        // Both forms are warmed: the compact ones of today's SDKs (the first send of each device, then every
        // other pair) and the long ones of older SDKs.
        assertThat(server.byId.get()).as("sends naming the method by its id").isEqualTo(6);
        assertThat(server.idsAsBytes.get()).as("sends with their client message id as bytes").isEqualTo(6);
        assertThat(server.closed.await(5, TimeUnit.SECONDS)).as("the link closed after the warm-up").isTrue();
    }

    @Test
    void aRefusedCallFailsTheWarmUp() throws Exception {
        server.refuseSends = true;
        assertThatThrownBy(() -> warmUp(4).run(COUPLE, ANN, BOB, 10_000))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(DuetError.class);
        assertThat(server.closed.await(5, TimeUnit.SECONDS)).as("the link closed anyway").isTrue();
    }

    @Test
    void anUnansweredCallEndsTheWarmUpAtItsDeadline() throws Exception {
        server.answerSubscribe = false;
        RelayWarmUp warmUp = warmUp(4);
        long started = System.nanoTime();
        assertThatThrownBy(() -> warmUp.run(COUPLE, ANN, BOB, 300)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("subscribe");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(250L, 3_000L);
    }

    @Test
    void waitsForTheLiveEventsNotOnlyTheReplayOfEarlierMessages() throws Exception {
        server.replay = 900;
        server.deliverLive = false;
        RelayWarmUp warmUp = warmUp(4);
        assertThatThrownBy(() -> warmUp.run(COUPLE, ANN, BOB, 1_000)).isInstanceOf(TimeoutException.class)
                .hasMessageContaining("the partner's events");
    }

    @Test
    void refusesNoSends() {
        assertThatThrownBy(() -> new RelayWarmUp(RelayTls.disabled(), group, new InetSocketAddress(1), "x", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Answers HELLO, and calls as the chat API does; every send gives the partner's stream an event. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class StandIn extends SimpleChannelInboundHandler<RelayFrame> {
        final Map<Long, OpenStream> opened = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        private final AtomicLong seqs = new AtomicLong();
        private final Map<String, Long> ordinals = new ConcurrentHashMap<>();
        /** The order stream each session stream declared last. */
        private final Map<Long, String> declared = new ConcurrentHashMap<>();
        /** Calls that named their method by its id; sends that carried their client message id as bytes. */
        final AtomicInteger byId = new AtomicInteger();
        final AtomicInteger idsAsBytes = new AtomicInteger();
        volatile boolean refuseSends;
        volatile boolean answerSubscribe = true;
        /** Messages already in the couple, replayed to the subscriber as events before the live ones. */
        volatile int replay;
        volatile boolean deliverLive = true;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) throws Exception {
            switch (frame.getSetField()) {
                case HELLO:
                    ctx.writeAndFlush(RelayFrame.helloAck(new HelloAck(relayConstants.RELAY_VERSION, "stand-in")));
                    break;
                case OPEN:
                    opened.put(frame.getOpen().getStreamId(), frame.getOpen());
                    break;
                case DATA:
                    call(ctx, frame.getData());
                    break;
                default:
            }
        }

        private void call(ChannelHandlerContext ctx, StreamData data) throws Exception {
            ThriftMessages.Incoming call = ThriftMessages.read(ThriftCodec.INTERNAL, data.getPayload(), WireProtocol.COMPACT);
            String method = MethodIds.fullName(call.header().name);
            if (!method.equals(call.header().name)) {
                byId.incrementAndGet();
            }
            TBase<?, ?> result;
            Object success;
            switch (method) {
                case "chat:subscribe":
                    calls.add(data.getStreamId() + " " + method);
                    if (!answerSubscribe) {
                        return;
                    }
                    for (int i = 0; i < replay; i++) {
                        ctx.write(RelayFrame.data(new StreamData(1, PayloadKind.EVENT, ByteBuffer.wrap(new byte[] {1}))));
                    }
                    seqs.addAndGet(replay);
                    result = new ChatService.subscribe_result();
                    success = new SubscribeResult();
                    break;
                case "chat:sendMessage": {
                    ChatService.sendMessage_args args = call.readBody(new ChatService.sendMessage_args());
                    SendMessageRequest request = args.getRequest();
                    calls.add(data.getStreamId() + " " + method + " " + request.getOrdinal());
                    // As the couple's send pipeline orders them: by order stream of the sending user.
                    // As the chat API does, a session's send may leave out the stream a send of it named before.
                    if (request.isSetOrderStream()) {
                        declared.put(data.getStreamId(), request.getOrderStream());
                    }
                    if (request.isSetClientMessageIdBytes()) {
                        idsAsBytes.incrementAndGet();
                    }
                    String orderStream = opened.get(data.getStreamId()).getPrincipal().getUserId() + "/"
                            + declared.get(data.getStreamId());
                    long previous = ordinals.getOrDefault(orderStream, 0L);
                    ErrorCode refusal = refuseSends ? ErrorCode.RATE_LIMITED
                            : request.getAfterOrdinal() != previous || request.getOrdinal() != previous + 1
                                    ? ErrorCode.OUT_OF_ORDER : null;
                    if (refusal != null) {
                        reply(ctx, data.getStreamId(), method, call.header().seqid,
                                new ChatService.sendMessage_result().setError(new DuetError(refusal)));
                        return;
                    }
                    ordinals.put(orderStream, request.getOrdinal());
                    if (deliverLive) {
                        ctx.write(RelayFrame.data(new StreamData(1, PayloadKind.EVENT, ByteBuffer.wrap(new byte[] {1}))));
                    }
                    result = new ChatService.sendMessage_result();
                    success = new SendMessageResult().setSeq(seqs.incrementAndGet()).setOrderStreamKept(true);
                    break;
                }
                case "chat:setTyping":
                    calls.add(data.getStreamId() + " " + method);
                    result = new ChatService.setTyping_result();
                    success = new SetTypingResult();
                    break;
                case "chat:fetchHistory":
                    calls.add(data.getStreamId() + " " + method);
                    result = new ChatService.fetchHistory_result();
                    success = new HistoryPage();
                    break;
                case "chat:markRead":
                    calls.add(data.getStreamId() + " " + method + " "
                            + call.readBody(new ChatService.markRead_args()).getRequest().getUpToSeq());
                    result = new ChatService.markRead_result();
                    success = new ReadState();
                    break;
                default:
                    throw new AssertionError("unexpected call " + method);
            }
            ThriftMessages.setSuccess(result, success);
            reply(ctx, data.getStreamId(), method, call.header().seqid, result);
        }

        private static void reply(ChannelHandlerContext ctx, long streamId, String method, int seqid, TBase<?, ?> result) {
            byte[] reply = ThriftMessages.encodeReply(ThriftCodec.INTERNAL, WireProtocol.COMPACT, method, seqid, result);
            ctx.writeAndFlush(RelayFrame.data(new StreamData(streamId, PayloadKind.REPLY, ByteBuffer.wrap(reply))));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            closed.countDown();
            super.channelInactive(ctx);
        }
    }
}
