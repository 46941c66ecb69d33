package io.duet.bench.codec;

import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * What one message would cost on the wire through a plain JSON/HTTP chat API, encoded by Netty's HTTP,
 * WebSocket and HTTP/2 encoders. Two variants of the same API, both lean on purpose (real apps send more
 * headers: user agent, tracing, cookies):
 *
 * <ul>
 *   <li>{@link #http1}: {@code POST /api/v1/chat/messages} over a kept-alive HTTP/1.1 connection with
 *       {@code Host}, {@code Authorization: Bearer <token>}, {@code Content-Type} and {@code Content-Length};
 *       the reply {@code 200} with {@code Content-Type}, {@code Content-Length} and {@code Date}; the partner's
 *       copy as a WebSocket text frame from the server (unmasked).
 *   <li>{@link #http2}: the same request and reply over one HTTP/2 connection, whose HPACK tables make the
 *       repeated headers (the token too) a byte or two each (every string Huffman-coded), and the partner's
 *       copy as a server-sent event ({@code data: <json>\n\n}) in a DATA frame of a long-lived stream.
 * </ul>
 *
 * <p>The token is a real Duet access token for the same user (this cluster's format: about 150 characters).
 * The JSON carries what Duet's messages carry: the request the client message id and the text; the reply
 * the sequence number, the time and the duplicate flag; the event the whole message, with the 63-bit user id
 * as a string (JavaScript numbers cannot hold it). No compression of bodies (they are too small for gzip to
 * pay), no TLS, TCP or IP overhead on either side. Each instance keeps its connections' state (HPACK tables,
 * stream ids); not thread-safe.
 */
final class JsonHttpBaseline {
    private static final String HOST = "api.duet.example.com";
    private static final String PATH = "/api/v1/chat/messages";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String authorization;
    private final EmbeddedChannel requestEncoder = new EmbeddedChannel(new HttpRequestEncoder());
    private final EmbeddedChannel responseEncoder = new EmbeddedChannel(new HttpResponseEncoder());
    private final EmbeddedChannel webSocketEncoder = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
    private final Http2Connection client = new Http2Connection();
    private final Http2Connection server = new Http2Connection();
    private int nextStreamId = 3;

    /** Bytes of one message in each direction. */
    record Bytes(int send, int ack, int delivery) {
        int total() {
            return send + ack + delivery;
        }
    }

    /** @param random draws the token's session and device ids */
    JsonHttpBaseline(long userId, Random random) {
        String secret = "wire-size-benchmark-secret-of-32-bytes-or-more";
        long issuedAt = 1_795_000_000_000L;
        byte[] session = new byte[16];
        random.nextBytes(session);
        String token = TokenCodec.create(secret, List.of(), Clock.systemUTC()).issue(new TokenClaims()
                .setUserId(userId)
                .setCoupleId(random.nextLong() & ((1L << 53) - 1))
                .setDeviceId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setSessionId(Base64.getUrlEncoder().withoutPadding().encodeToString(session))
                .setIssuedAtMillis(issuedAt)
                .setExpiresAtMillis(issuedAt + 3_600_000));
        this.authorization = "Bearer " + token;
    }

    /** {@code message} sent as {@code request}, answered, and delivered, over HTTP/1.1 and a WebSocket. */
    Bytes http1(SendMessageRequest request, Message message) {
        byte[] requestBody = requestJson(request);
        FullHttpMessage post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, PATH,
                Unpooled.wrappedBuffer(requestBody));
        post.headers()
                .set(HttpHeaderNames.HOST, HOST)
                .set(HttpHeaderNames.AUTHORIZATION, authorization)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, requestBody.length);
        byte[] replyBody = replyJson(message);
        FullHttpMessage reply = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(replyBody));
        reply.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, replyBody.length)
                .set(HttpHeaderNames.DATE, date(message));
        return new Bytes(written(requestEncoder, post), written(responseEncoder, reply),
                written(webSocketEncoder, new TextWebSocketFrame(Unpooled.wrappedBuffer(eventJson(message)))));
    }

    /** The same over HTTP/2: one stream per request, the partner's copy as an SSE event. */
    Bytes http2(SendMessageRequest request, Message message) {
        int streamId = nextStreamId;
        nextStreamId += 2;
        byte[] requestBody = requestJson(request);
        Http2Headers post = new DefaultHttp2Headers()
                .method("POST").scheme("https").authority(HOST).path(PATH);
        post.set(HttpHeaderNames.AUTHORIZATION, authorization)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, requestBody.length);
        byte[] replyBody = replyJson(message);
        Http2Headers reply = new DefaultHttp2Headers().status("200");
        reply.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, replyBody.length)
                .set(HttpHeaderNames.DATE, date(message));
        byte[] sse = concat("data: ".getBytes(StandardCharsets.US_ASCII), eventJson(message),
                "\n\n".getBytes(StandardCharsets.US_ASCII));
        return new Bytes(client.request(streamId, post, requestBody), server.request(streamId, reply, replyBody),
                server.data(1, sse));
    }

    private static String date(Message message) {
        return HTTP_DATE.format(Instant.ofEpochMilli(message.getSentAtMillis()));
    }

    static byte[] requestJson(SendMessageRequest request) {
        return new Json().open().field("clientMessageId").string(request.getClientMessageId())
                .field("text").string(request.getText()).close().bytes();
    }

    static byte[] replyJson(Message message) {
        return new Json().open().field("seq").number(message.getSeq())
                .field("sentAt").number(message.getSentAtMillis())
                .field("duplicate").literal("false").close().bytes();
    }

    static byte[] eventJson(Message message) {
        return new Json().open().field("type").string("message").field("message").open()
                .field("seq").number(message.getSeq())
                .field("clientMessageId").string(message.getClientMessageId())
                .field("senderId").string(Long.toString(message.getSenderId()))
                .field("senderDeviceId").string(message.getSenderDeviceId())
                .field("sentAt").number(message.getSentAtMillis())
                .field("kind").string("text")
                .field("text").string(message.getText())
                .close().close().bytes();
    }

    private static int written(EmbeddedChannel encoder, Object message) {
        encoder.writeOutbound(message);
        return drain(encoder);
    }

    private static int drain(EmbeddedChannel channel) {
        int bytes = 0;
        for (ByteBuf buffer = channel.readOutbound(); buffer != null; buffer = channel.readOutbound()) {
            bytes += buffer.readableBytes();
            buffer.release();
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** One side of an HTTP/2 connection: its frame writer and its HPACK encoder's table. */
    private static final class Http2Connection {
        private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        private final ChannelHandlerContext context = channel.pipeline().firstContext();
        // Huffman-code every string, as the common mobile clients and servers do (Netty's default is only
        // strings of 512 bytes and more).
        private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter(new DefaultHttp2HeadersEncoder(
                Http2HeadersEncoder.NEVER_SENSITIVE, false, 16, 0));

        /** HEADERS, then the body in a DATA frame that ends the stream. */
        int request(int streamId, Http2Headers headers, byte[] body) {
            writer.writeHeaders(context, streamId, headers, 0, false, context.newPromise());
            writer.writeData(context, streamId, Unpooled.wrappedBuffer(body), 0, true, context.newPromise());
            channel.flush();
            return drain(channel);
        }

        /** A DATA frame on a stream that stays open. */
        int data(int streamId, byte[] body) {
            writer.writeData(context, streamId, Unpooled.wrappedBuffer(body), 0, false, context.newPromise());
            channel.flush();
            return drain(channel);
        }
    }

    /** Just enough of a JSON writer: objects, strings escaped as RFC 8259 requires, and numbers. */
    private static final class Json {
        private final StringBuilder out = new StringBuilder(256);
        private boolean first = true;

        Json open() {
            out.append('{');
            first = true;
            return this;
        }

        Json close() {
            out.append('}');
            first = false;
            return this;
        }

        Json field(String name) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(name);
            out.append(':');
            return this;
        }

        Json string(String value) {
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
            return this;
        }

        Json number(long value) {
            out.append(value);
            return this;
        }

        Json literal(String value) {
            out.append(value);
            return this;
        }

        byte[] bytes() {
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
