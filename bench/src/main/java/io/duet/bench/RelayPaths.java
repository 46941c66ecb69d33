package io.duet.bench;

import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameDecoder;
import io.duet.protocol.frame.FrameEncoder;
import io.duet.protocol.frame.FrameLimits;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.Hello;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Pong;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayLinkFraming;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.relay.relayConstants;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.token.TokenClaims;
import io.duet.security.RelayTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The two ways {@link RelayCostBenchmark} reaches an application server with the same call bytes: as a
 * client of a presentation server ({@link #session}: AUTH, then CALL frames, whose bodies the presentation
 * server relays unparsed), and as a presentation server itself ({@link RelayConnection}: a relay link with
 * mutual TLS, HELLO, and a SESSION stream per caller), straight to the application server's relay port or
 * through a TCP proxy in front of it.
 */
final class RelayPaths {
    private RelayPaths() {
    }

    /** Where calls go and their replies come from; {@code send} may be called from any thread. */
    interface CallPath {
        void send(byte[] call);
    }

    /** A client session's path: closing it closes the connection. */
    record SessionPath(Channel channel) implements CallPath, AutoCloseable {
        @Override
        public void send(byte[] call) {
            channel.writeAndFlush(Frame.of(FrameType.CALL, call));
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A client session on a presentation server's client TCP port, authenticated with {@code token}; every
     * REPLY body goes to {@code replies}. Completes once the server accepted the token.
     */
    static CompletableFuture<SessionPath> session(EventLoopGroup group, InetSocketAddress server, String token,
            Consumer<byte[]> replies) {
        CompletableFuture<SessionPath> authenticated = new CompletableFuture<>();
        byte[] auth = ThriftCodec.INTERNAL.encode(new AuthRequest(token, commonConstants.API_VERSION)
                .setClientVersion("duet-relay-cost"));
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(FrameLimits.SERVER_TO_CLIENT),
                                new FrameEncoder(FrameLimits.CLIENT_TO_SERVER, FrameEncoder.DEFAULT_COMPRESSION_THRESHOLD),
                                new SimpleChannelInboundHandler<Frame>() {
                                    @Override
                                    public void channelActive(ChannelHandlerContext ctx) {
                                        ctx.writeAndFlush(Frame.of(FrameType.AUTH, auth));
                                    }

                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                                        switch (frame.type()) {
                                            case AUTH_OK:
                                                authenticated.complete(new SessionPath(ctx.channel()));
                                                break;
                                            case REPLY:
                                                replies.accept(frame.payload());
                                                break;
                                            case PING:
                                                ctx.writeAndFlush(Frame.of(FrameType.PONG, frame.payload()));
                                                break;
                                            case ERROR:
                                                authenticated.completeExceptionally(new IllegalStateException(
                                                        "the presentation server refused the session"));
                                                ctx.close();
                                                break;
                                            default:
                                                break;
                                        }
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        authenticated.completeExceptionally(new IllegalStateException("session closed"));
                                    }
                                });
                    }
                }).connect(server).channel();
        authenticated.whenComplete((path, failure) -> {
            if (failure != null) {
                channel.close();
            }
        });
        return authenticated;
    }

    /**
     * A relay link to an application server (or to a proxy in front of one), speaking as presentation
     * server {@code presentationId}: its SESSION streams carry calls and replies as a presentation server's do.
     */
    static final class RelayConnection implements AutoCloseable {
        private final Channel channel;
        private final CompletableFuture<Void> greeted = new CompletableFuture<>();
        private final Map<Long, Stream> streams = new ConcurrentHashMap<>();
        private long nextStreamId = 1;

        private RelayConnection(EventLoopGroup group, RelayTls tls, InetSocketAddress target, String presentationId) {
            channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            RelayLinkFraming.addClientHandlers(ch, tls, target.getHostString(), target.getPort());
                            ch.pipeline().addLast(new Handler(presentationId));
                        }
                    }).connect(target).channel();
        }

        /** Connects and says HELLO; waits for the HELLO_ACK. */
        static RelayConnection open(EventLoopGroup group, RelayTls tls, InetSocketAddress target, String presentationId)
                throws Exception {
            RelayConnection connection = new RelayConnection(group, tls, target, presentationId);
            try {
                connection.greeted.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                connection.close();
                throw new IllegalStateException("no relay link to " + target + ": " + e, e);
            }
            return connection;
        }

        /**
         * Opens a SESSION stream for {@code principal}; its replies go to {@code replies}, and {@code closed}
         * completes with the reason if the application server ends it (NOT_OWNER: not the couple's server).
         */
        synchronized CallPath openSession(Principal principal, Consumer<byte[]> replies,
                CompletableFuture<CloseStream> closed) {
            long streamId = nextStreamId++;
            streams.put(streamId, new Stream(replies, closed));
            channel.writeAndFlush(RelayFrame.open(new OpenStream().setStreamId(streamId).setKind(StreamKind.SESSION)
                    .setPrincipal(principal).setProtocol(WireProtocol.COMPACT).setClientAddress("/127.0.0.1:1")
                    .setInitialCredit(1 << 20)));
            return call -> channel.writeAndFlush(RelayFrame.data(new StreamData(streamId, PayloadKind.CALL,
                    ByteBuffer.wrap(call))));
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        private record Stream(Consumer<byte[]> replies, CompletableFuture<CloseStream> closed) {
        }

        private final class Handler extends SimpleChannelInboundHandler<RelayFrame> {
            private final String presentationId;

            Handler(String presentationId) {
                this.presentationId = presentationId;
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                if (event instanceof SslHandshakeCompletionEvent completion) {
                    if (completion.isSuccess()) {
                        ctx.writeAndFlush(RelayFrame.hello(new Hello(relayConstants.RELAY_VERSION, presentationId)));
                    } else {
                        greeted.completeExceptionally(completion.cause());
                    }
                }
                super.userEventTriggered(ctx, event);
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, RelayFrame frame) {
                switch (frame.getSetField()) {
                    case HELLO_ACK:
                        greeted.complete(null);
                        break;
                    case DATA: {
                        Stream stream = streams.get(frame.getData().getStreamId());
                        if (stream != null && frame.getData().getKind() == PayloadKind.REPLY) {
                            stream.replies().accept(frame.getData().getPayload());
                        }
                        break;
                    }
                    case CLOSE: {
                        Stream stream = streams.remove(frame.getClose().getStreamId());
                        if (stream != null) {
                            stream.closed().complete(frame.getClose());
                        }
                        break;
                    }
                    case PING:
                        ctx.writeAndFlush(RelayFrame.pong(new Pong(frame.getPing().getNonce())));
                        break;
                    default:
                        break;
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                greeted.completeExceptionally(new IllegalStateException("relay link closed"));
                streams.values().forEach(stream -> stream.closed().complete(new CloseStream()));
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                greeted.completeExceptionally(cause);
                ctx.close();
            }
        }
    }

    /** The application servers of the local cluster in {@code cluster} by name, and their relay ports (ready files). */
    static Map<String, InetSocketAddress> appServers(Path cluster) throws IOException {
        Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
        for (int i = 1; ; i++) {
            Path ready = cluster.resolve("run").resolve("app-" + i + ".ready");
            if (!Files.exists(ready)) {
                break;
            }
            Properties info = new Properties();
            try (InputStream in = Files.newInputStream(ready)) {
                info.load(in);
            }
            servers.put("app-" + i, new InetSocketAddress("127.0.0.1", Integer.parseInt(info.getProperty("relay.port"))));
        }
        if (servers.isEmpty()) {
            throw new IllegalStateException("no application server is ready in " + cluster);
        }
        return servers;
    }

    /** As a presentation server names the caller of a stream. */
    static Principal principalOf(TokenClaims claims) {
        Principal principal = new Principal(claims.getUserId(), claims.getCoupleId(),
                claims.getDeviceId() == null ? "" : claims.getDeviceId());
        principal.setTokenExpiresAtMillis(claims.getExpiresAtMillis());
        if (claims.isSetSessionId()) {
            principal.setSessionId(claims.getSessionId());
        }
        return principal;
    }
}
