package io.duet.app.relay;

import io.duet.app.couple.WarmUpCalls;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.relay.Hello;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayLinkFraming;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.thrift.UuidBytes;
import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.thrift.TBase;
import org.apache.thrift.protocol.TMessageType;

/**
 * A starting server's calls into its own warm-up couple the way a presentation server makes clients'
 * calls: over a relay link to its own relay port (mutual TLS with its own certificate, which the cluster
 * CA signs for both ends), as encoded Thrift calls on session streams, through {@link RelayConnectionHandler},
 * the dispatcher and the chat API. The partner's session subscribes (a replay of the couple's messages, then
 * live events, under flow-control credit), the other partner's two devices send {@link #sends} messages in
 * order streams, then the partner types, reads a history page and marks read. Every call must succeed.
 *
 * <p>The sends stay within the default send limits (100 a second per couple, 50 per device), so none is
 * refused as RATE_LIMITED; an operator who lowers {@code limits.send.*} below them gets "Warm-up incomplete
 * ... RATE_LIMITED" at every start (the server still joins, only less warm). Blocks the calling thread, never an event loop: the link's frames are handled
 * on {@code group}'s.
 */
public final class RelayWarmUp implements WarmUpCalls {
    /** Sends over the link: within the default burst of sends per couple (100), half on each device. */
    public static final int DEFAULT_SENDS = 64;
    /** The partner's event credit: more than the replay of the earlier loads' messages and the live ones. */
    static final long SESSION_CREDIT = 4L << 20;
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final long PARTNER_STREAM = 1;
    private static final long[] SENDER_STREAMS = {2, 3};

    private final RelayTls tls;
    private final EventLoopGroup group;
    private final InetSocketAddress relay;
    private final String name;
    private final int sends;

    /**
     * @param relay this server's relay port, as a presentation server would reach it (a loopback address)
     * @param name what the link says it is in its HELLO (logged by the server)
     */
    public RelayWarmUp(RelayTls tls, EventLoopGroup group, InetSocketAddress relay, String name, int sends) {
        if (sends < 1) {
            throw new IllegalArgumentException("sends: " + sends + " (expected: >= 1)");
        }
        this.tls = tls;
        this.group = group;
        this.relay = relay;
        this.name = name;
        this.sends = sends;
    }

    @Override
    public void run(long coupleId, long memberA, long memberB, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        Link link = new Link();
        ChannelFuture connecting = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        RelayLinkFraming.addClientHandlers(channel, tls, relay.getHostString(), relay.getPort());
                        channel.pipeline().addLast(link);
                    }
                })
                .connect(relay);
        if (!connecting.await(remaining(deadline)) || !connecting.isSuccess()) {
            connecting.channel().close();
            throw new IOException("warm-up link to " + relay + " not connected: " + (connecting.cause() != null
                    ? connecting.cause().toString() : "no answer in time"), connecting.cause());
        }
        Channel channel = connecting.channel();
        try {
            channel.writeAndFlush(RelayFrame.hello(new Hello(relayConstants.RELAY_VERSION, name)));
            await(link.greeted, deadline, "HELLO_ACK");
            open(channel, PARTNER_STREAM, coupleId, memberB, "warm-up-partner");
            for (long stream : SENDER_STREAMS) {
                open(channel, stream, coupleId, memberA, "warm-up-" + stream);
            }
            await(link.call(channel, PARTNER_STREAM, "subscribe",
                    new ChatService.subscribe_args(new SubscribeRequest(0)), new ChatService.subscribe_result()),
                    deadline, "subscribe");
            // Half the sends as an SDK of today makes them on a TCP session: the method by its id, the client
            // message id as 16 bytes, and the order stream named only until a send naming it was acknowledged
            // (the first send of each device is awaited alone, so that the others may leave it out). The other
            // half in the long forms, as older SDKs send them. Both paths are then compiled before clients come.
            long lastSeq = 0;
            for (int i = 0; i < Math.min(sends, SENDER_STREAMS.length); i++) {
                lastSeq = Math.max(lastSeq, ((SendMessageResult) await(send(link, channel, SENDER_STREAMS[i], 1, false),
                        deadline, "sendMessage")).getSeq());
            }
            List<CompletableFuture<Object>> sent = new ArrayList<>();
            for (int i = SENDER_STREAMS.length; i < sends; i++) {
                long stream = SENDER_STREAMS[i % SENDER_STREAMS.length];
                long ordinal = i / SENDER_STREAMS.length + 1;
                sent.add(send(link, channel, stream, ordinal, (i / SENDER_STREAMS.length) % 2 == 0));
            }
            for (CompletableFuture<Object> send : sent) {
                lastSeq = Math.max(lastSeq, ((SendMessageResult) await(send, deadline, "sendMessage")).getSeq());
            }
            await(link.call(channel, PARTNER_STREAM, "setTyping", new ChatService.setTyping_args(new SetTypingRequest(true)),
                    new ChatService.setTyping_result()), deadline, "setTyping");
            await(link.call(channel, PARTNER_STREAM, "fetchHistory",
                    new ChatService.fetchHistory_args(new FetchHistoryRequest(Math.max(0, lastSeq - 100), 100)),
                    new ChatService.fetchHistory_result()), deadline, "fetchHistory");
            await(link.call(channel, PARTNER_STREAM, "markRead", new ChatService.markRead_args(new MarkReadRequest(lastSeq)),
                    new ChatService.markRead_result()), deadline, "markRead");
            // Every message of the couple, 1 to lastSeq, reaches the partner once: the subscribe's replay
            // brings those of the earlier loads, live events the link's sends. Counting the sends alone would
            // be met by the replay before any live event.
            await(link.eventsFor(PARTNER_STREAM, lastSeq), deadline, "the partner's events");
        } finally {
            channel.close();
        }
    }

    /**
     * Sends message {@code ordinal} of device stream {@code stream} (an order stream is the sender's, one per
     * device, as apps do; both devices are A's): in the compact forms unless {@code longForms}, after the first.
     */
    private CompletableFuture<Object> send(Link link, Channel channel, long stream, long ordinal, boolean longForms) {
        UUID id = UUID.nameUUIDFromBytes((name + "/" + stream + "/" + ordinal).getBytes(StandardCharsets.UTF_8));
        SendMessageRequest request = new SendMessageRequest(id.toString(), "warm-up", 1).setOrdinal(ordinal)
                .setAfterOrdinal(ordinal - 1);
        if (longForms || ordinal == 1) {
            request.setOrderStream("warm-up-relay-" + stream);
        }
        if (!longForms) {
            request.setClientMessageId(null).setClientMessageIdBytes(UuidBytes.of(id));
        }
        return link.call(channel, stream, "sendMessage", !longForms, new ChatService.sendMessage_args(request),
                new ChatService.sendMessage_result());
    }

    private static void open(Channel channel, long streamId, long coupleId, long userId, String deviceId) {
        channel.writeAndFlush(RelayFrame.open(new OpenStream(streamId, StreamKind.SESSION, WireProtocol.COMPACT)
                .setPrincipal(new Principal(userId, coupleId, deviceId))
                .setInitialCredit(SESSION_CREDIT)));
    }

    private static <T> T await(CompletableFuture<T> future, long deadline, String what) throws Exception {
        try {
            return future.get(remaining(deadline), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("warm-up: no answer to " + what + " in time");
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    /** The link's end of the frames: answers by call, events by stream. Its state is thread-safe. */
    private static final class Link extends SimpleChannelInboundHandler<RelayFrame> {
        final CompletableFuture<Void> greeted = new CompletableFuture<>();
        private final AtomicInteger seqids = new AtomicInteger();
        private final Map<Integer, Call> calls = new ConcurrentHashMap<>();
        private final Map<Long, AtomicInteger> events = new ConcurrentHashMap<>();
        private final Map<Long, EventWait> eventWaits = new ConcurrentHashMap<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();

        CompletableFuture<Object> call(Channel channel, long streamId, String method, TBase<?, ?> args,
                TBase<?, ?> result) {
            return call(channel, streamId, method, false, args, result);
        }

        /** Calls {@code method} of the chat service, named by its method id if {@code byId}. */
        CompletableFuture<Object> call(Channel channel, long streamId, String method, boolean byId, TBase<?, ?> args,
                TBase<?, ?> result) {
            int seqid = seqids.incrementAndGet();
            Call call = new Call(streamId, result);
            calls.put(seqid, call);
            byte[] payload = ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, byId
                    ? MethodIds.idOrFullName(commonConstants.CHAT_SERVICE, method)
                    : commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + method, seqid, args, false);
            channel.writeAndFlush(RelayLinkFraming.callFrame(streamId, payload));
            closed.whenComplete((ignored, failure) -> call.answer.completeExceptionally(failure));
            return call.answer;
        }

        /** Completes once {@code count} events have come on the stream. */
        CompletableFuture<Void> eventsFor(long streamId, long count) {
            EventWait wait = new EventWait(count);
            eventWaits.put(streamId, wait);
            wait.check(events.computeIfAbsent(streamId, id -> new AtomicInteger()).get());
            closed.whenComplete((ignored, failure) -> wait.reached.completeExceptionally(failure));
            return wait.reached;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) throws Exception {
            switch (frame.getSetField()) {
                case HELLO_ACK:
                    greeted.complete(null);
                    break;
                case DATA:
                    data(frame.getData());
                    break;
                case CLOSE:
                    failStream(frame.getClose().getStreamId(), new IOException("warm-up stream "
                            + frame.getClose().getStreamId() + " closed: " + frame.getClose().getReason() + " "
                            + frame.getClose().getDetail()));
                    break;
                default:
                    // Pings, revocations: nothing to do for the few seconds the link lives.
            }
        }

        private void data(StreamData data) throws Exception {
            if (data.getKind() == PayloadKind.EVENT) {
                int count = events.computeIfAbsent(data.getStreamId(), id -> new AtomicInteger()).incrementAndGet();
                EventWait wait = eventWaits.get(data.getStreamId());
                if (wait != null) {
                    wait.check(count);
                }
                return;
            }
            ThriftMessages.Incoming reply = ThriftMessages.read(CODEC, data.getPayload(), WireProtocol.COMPACT);
            Call call = calls.remove(reply.header().seqid);
            if (call == null) {
                return;
            }
            if (reply.header().type == TMessageType.EXCEPTION) {
                call.answer.completeExceptionally(reply.readApplicationException());
                return;
            }
            try {
                call.answer.complete(ThriftMessages.unwrapResult(reply.readBody(call.result), reply.header().name));
            } catch (Exception e) {
                call.answer.completeExceptionally(e);
            }
        }

        private void failStream(long streamId, Exception failure) {
            calls.values().removeIf(call -> call.streamId == streamId && call.answer.completeExceptionally(failure));
            EventWait wait = eventWaits.get(streamId);
            if (wait != null) {
                wait.reached.completeExceptionally(failure);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            IOException failure = new IOException("warm-up link closed");
            greeted.completeExceptionally(failure);
            closed.completeExceptionally(failure);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            greeted.completeExceptionally(cause);
            closed.completeExceptionally(cause);
            ctx.close();
        }
    }

    private static final class Call {
        final long streamId;
        final TBase<?, ?> result;
        final CompletableFuture<Object> answer = new CompletableFuture<>();

        Call(long streamId, TBase<?, ?> result) {
            this.streamId = streamId;
            this.result = result;
        }
    }

    private static final class EventWait {
        final long count;
        final CompletableFuture<Void> reached = new CompletableFuture<>();

        EventWait(long count) {
            this.count = count;
        }

        void check(int seen) {
            if (seen >= count) {
                reached.complete(null);
            }
        }
    }
}
