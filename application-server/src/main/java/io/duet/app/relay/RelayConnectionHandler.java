package io.duet.app.relay;

import io.duet.app.couple.CoupleActor;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.NotOwnerException;
import io.duet.app.limits.SourceAddress;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Caller;
import io.duet.app.rpc.ServiceDispatcher;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.frame.BatchedFlush;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.HelloAck;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Pong;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One relay connection from a presentation server. Its stream table is touched only on the
 * connection's event loop. Session streams of paired users are attached to their couple's actor when
 * opened; if this server does not own the couple, the stream is closed with NOT_OWNER and the
 * presentation server routes it again. That happens at once, unless the presentation server routed the
 * stream by a newer shard map than this server has seen: then its calls are held until that map arrives
 * (for at most {@link #MAP_CATCH_UP_WAIT}) and ownership is checked again. {@code CREDIT} frames return flow-control credit to a session
 * stream (see {@link AppStream}), and say when its client went quiet or was heard from again.
 *
 * <p>Backpressure: while the connection's outbound buffer is past its high-water mark (replies and events
 * are produced faster than the presentation server takes them), the connection is not read, so no new
 * calls are dispatched; reading resumes once the buffer drains below its low-water mark.
 */
final class RelayConnectionHandler extends SimpleChannelInboundHandler<RelayFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(RelayConnectionHandler.class);
    /**
     * How long a session stream routed by a newer shard map than this server has seen waits for that map
     * before being turned away: the map reaches the servers of both tiers within milliseconds of each
     * other, and a refused session would be routed again only after a backoff.
     */
    static final Duration MAP_CATCH_UP_WAIT = Duration.ofSeconds(1);

    private final String instanceId;
    private final ServiceDispatcher dispatcher;
    private final CoupleRegistry couples;
    private final PresentationLinks presentationLinks;
    private final LongAdder openStreams;
    private final Map<Long, AppStream> streams = new HashMap<>();
    /** How many of {@link #streams} are counted in {@link #openStreams}. */
    private int countedStreams;
    private ChannelHandlerContext ctx;
    private BatchedFlush writes;
    private String peer = "unknown presentation server";
    private boolean greeted;

    RelayConnectionHandler(String instanceId, ServiceDispatcher dispatcher, CoupleRegistry couples,
            PresentationLinks presentationLinks, LongAdder openStreams) {
        this.instanceId = instanceId;
        this.dispatcher = dispatcher;
        this.couples = couples;
        this.presentationLinks = presentationLinks;
        this.openStreams = openStreams;
    }

    /** Adds the change in this link's stream count to the server's; after every change of {@link #streams}. */
    private void countStreams() {
        int now = streams.size();
        openStreams.add(now - countedStreams);
        countedStreams = now;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writes = new BatchedFlush(ctx.channel());
    }

    /** Writes a frame of one of this connection's streams; callable from any thread. */
    void write(Frame frame) {
        writes.write(frame);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
        if (!greeted && frame.getSetField() != RelayFrame._Fields.HELLO) {
            LOG.warn("Relay connection from {} did not start with HELLO; closing", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        switch (frame.getSetField()) {
            case HELLO:
                hello(ctx, frame);
                break;
            case OPEN:
                presentationLinks.heardCall();
                open(frame.getOpen());
                break;
            case DATA:
                presentationLinks.heardCall();
                data(frame.getData());
                break;
            case CLOSE: {
                AppStream stream = streams.remove(frame.getClose().getStreamId());
                if (stream != null) {
                    countStreams();
                    stream.closedByPeer();
                }
                break;
            }
            case PING:
                ctx.writeAndFlush(RelayFrame.pong(new Pong(frame.getPing().getNonce())), ctx.voidPromise());
                break;
            case PONG:
                break;
            case CREDIT: {
                AppStream stream = streams.get(frame.getCredit().getStreamId());
                if (stream != null && frame.getCredit().getGrantedBytes() > 0) {
                    stream.granted(frame.getCredit().getGrantedBytes());
                }
                if (stream != null && frame.getCredit().isSetClientSilentMillis()) {
                    stream.clientSilence(frame.getCredit().getClientSilentMillis());
                }
                break;
            }
            default:
                LOG.warn("Unexpected {} frame from {}; ignoring", frame.getSetField(), peer);
        }
    }

    private void hello(ChannelHandlerContext ctx, RelayFrame frame) {
        if (frame.getHello().getRelayVersion() != relayConstants.RELAY_VERSION) {
            LOG.warn("{} speaks relay version {}, we speak {}; closing", frame.getHello().getPresentationId(),
                    frame.getHello().getRelayVersion(), relayConstants.RELAY_VERSION);
            ctx.close();
            return;
        }
        greeted = true;
        peer = frame.getHello().getPresentationId();
        presentationLinks.greeted(ctx.channel(), frame.getHello().isRevocations());
        ctx.writeAndFlush(RelayFrame.helloAck(new HelloAck(relayConstants.RELAY_VERSION, instanceId).setFlowControl(true)), ctx.voidPromise());
        LOG.info("Relay link from {} ({})", peer, ctx.channel().remoteAddress());
    }

    private void open(OpenStream open) {
        Principal principal = open.getPrincipal();
        String sourceAddress = SourceAddress.keyOf(open.getClientAddress());
        Caller caller = principal == null ? Caller.of(0, 0, "", null, sourceAddress)
                : Caller.of(principal.getUserId(), principal.getCoupleId(), principal.getDeviceId(),
                        principal.getSessionId(), sourceAddress, principal.getTokenExpiresAtMillis());
        WireProtocol protocol = open.getProtocol() == null ? WireProtocol.COMPACT : open.getProtocol();
        StreamKind kind = open.getKind() == null ? StreamKind.REQUEST : open.getKind();
        OptionalLong credit = kind == StreamKind.SESSION && open.isSetInitialCredit()
                ? OptionalLong.of(Math.max(0, open.getInitialCredit())) : OptionalLong.empty();
        AppStream stream = new AppStream(ctx.channel(), open.getStreamId(), kind, caller, open.getServiceName(), protocol,
                credit, this);
        AppStream previous = streams.put(open.getStreamId(), stream);
        countStreams();
        if (previous != null) {
            previous.closedByPeer();
        }
        if (kind == StreamKind.SESSION && caller.isPaired()) {
            attach(stream, open.isSetShardMapEpoch() ? open.getShardMapEpoch() : 0);
        }
    }

    /** @param routedByEpoch the shard map epoch the presentation server routed the stream by; 0 if unknown */
    private void attach(AppStream stream, long routedByEpoch) {
        CoupleActor actor;
        try {
            actor = couples.actorFor(stream.caller().coupleId());
        } catch (NotOwnerException | IllegalStateException e) {
            if (routedByEpoch > couples.shardMapEpoch()) {
                // Routed here by a map this server has not seen yet: hold the calls and ask again once it has.
                stream.holdCalls();
                couples.whenShardMapReaches(routedByEpoch, MAP_CATCH_UP_WAIT).whenCompleteAsync((reached, failure) -> {
                    if (stream.isOpen()) {
                        attach(stream, 0);
                    }
                }, ctx.executor());
                return;
            }
            stream.close(CloseReason.NOT_OWNER, e.getMessage());
            return;
        }
        stream.attachedTo(actor);
        CompletableFuture<Void> attached = actor.attach(stream);
        // Behind the attach on the couple's queue, as if they had come after it.
        for (byte[] call : stream.releaseCalls()) {
            dispatch(stream, call);
        }
        attached.whenComplete((ignored, failure) -> {
            if (failure == null) {
                return;
            }
            DuetError error = ApiErrors.toWire(failure);
            switch (error.getCode()) {
                case PERMISSION_DENIED:
                case NOT_FOUND:
                    stream.close(CloseReason.UNAUTHORIZED, error.getMessage());
                    break;
                case BUSY:
                    stream.close(CloseReason.OVERLOADED, error.getMessage());
                    break;
                case NOT_PAIRED:
                    stream.close(CloseReason.COUPLE_CLOSED, error.getMessage());
                    break;
                default:
                    stream.close(CloseReason.NOT_OWNER, error.getMessage());
            }
        });
    }

    private void data(StreamData data) {
        AppStream stream = streams.get(data.getStreamId());
        if (stream == null || !stream.isOpen()) {
            return;
        }
        if (data.getKind() != PayloadKind.CALL) {
            stream.close(CloseReason.PROTOCOL_ERROR, "only CALL payloads go to the application server");
            return;
        }
        if (stream.holdsCalls()) {
            if (!stream.hold(data.getPayload())) {
                stream.close(CloseReason.OVERLOADED, "too many calls while the shard map catches up");
            }
            return;
        }
        dispatch(stream, data.getPayload());
    }

    private void dispatch(AppStream stream, byte[] call) {
        CallContext context = new CallContext(stream.caller(), stream.kind() == StreamKind.SESSION ? stream : null);
        dispatcher.dispatch(context, stream.protocol(), stream.service(), call, stream);
    }

    /**
     * Tells the presentation server how to route the session of a closed stream again: the newest shard
     * map epoch this server has seen (0 without a registry) and, when that map gives the couple of a
     * stream closed as NOT_OWNER to another server, that server, read from the same map.
     */
    CloseStream routingHint(CloseStream close, Caller caller) {
        return routingHint(close, caller, couples == null ? Optional.empty() : couples.shardMap(), instanceId);
    }

    static CloseStream routingHint(CloseStream close, Caller caller, Optional<ShardMapView> view, String self) {
        close.setShardMapEpoch(view.map(ShardMapView::epoch).orElse(0L));
        if (close.getReason() == CloseReason.NOT_OWNER && caller.isPaired() && view.isPresent()) {
            view.get().ownerOf(view.get().shardOf(caller.coupleId()))
                    .filter(owner -> !owner.getServerId().equals(self))
                    .ifPresent(close::setMovedTo);
        }
        return close;
    }

    /** Drops a stream this side ended; callable from any thread. */
    void forget(AppStream stream) {
        if (ctx.executor().inEventLoop()) {
            streams.remove(stream.streamId(), stream);
            countStreams();
        } else {
            ctx.executor().execute(() -> {
                streams.remove(stream.streamId(), stream);
                countStreams();
            });
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            LOG.warn("Relay link from {} silent for {} s; closing", peer, RelayServerInitializer.READ_IDLE_SECONDS);
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // A copy: a couple may run a stream's end right here (SerialExecutor runs it inline), and end others.
        List<AppStream> ended = new ArrayList<>(streams.values());
        streams.clear();
        ended.forEach(AppStream::closedByPeer);
        countStreams();
        LOG.info("Relay link from {} closed", peer);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.warn("Relay link from {} failed: {}", peer, cause.toString());
        ctx.close();
    }
}
