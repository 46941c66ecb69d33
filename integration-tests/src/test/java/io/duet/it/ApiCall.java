package io.duet.it;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.thrift.AsyncProcessFunction;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.protocol.TMessageType;

/**
 * One call of any client API method, made generically from its generated process function, over HTTP or
 * a raw TCP session, and what came of it as a short outcome string:
 * {@code "OK"}, {@code "DuetError:<code>"}, {@code "HTTP <status>"}, {@code "Session:<code>"} (the TCP
 * session was closed with that error) or {@code "TApplicationException:<message>"}.
 */
final class ApiCall {
    static final String OK = "OK";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";

    private ApiCall() {
    }

    static String duetError(Object code) {
        return "DuetError:" + code;
    }

    static String session(Object code) {
        return "Session:" + code;
    }

    static String http(int status) {
        return "HTTP " + status;
    }

    /** What a call made, and the result struct when a reply came (null otherwise). */
    record Outcome(String outcome, TBase<?, ?> result) {
    }

    /** POST /api/v1/{@code service} with the call in the compact protocol; {@code token} may be null. */
    static Outcome overHttp(URI base, String service, AsyncProcessFunction<?, ?, ?, ?> function, TBase<?, ?> args,
            String token) throws Exception {
        byte[] call = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, function.getMethodName(), 1,
                args, false);
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/v1/" + service))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(call));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return new Outcome(http(response.statusCode()), null);
        }
        return decodeReply(function, response.body());
    }

    /**
     * The call on a new TCP session: AUTH with {@code token} (none when null: the call is the first frame),
     * then the call named {@code service:method}, then frames up to its REPLY or the session's ERROR.
     */
    static Outcome overTcp(InetSocketAddress server, String service, AsyncProcessFunction<?, ?, ?, ?> function,
            TBase<?, ?> args, String token) throws Exception {
        try (RawSession session = new RawSession(server)) {
            if (token != null) {
                session.send(RawSession.auth(token));
                Object[] answer = session.readFrame();
                if ((int) answer[0] == FrameType.ERROR.code()) {
                    return new Outcome(sessionError((byte[]) answer[1]), null);
                }
                if ((int) answer[0] != FrameType.AUTH_OK.code()) {
                    throw new AssertionError("expected AUTH_OK or ERROR, got frame type " + answer[0]);
                }
            }
            byte[] call = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT,
                    service + ThriftMessages.SERVICE_SEPARATOR + function.getMethodName(), 1, args, false);
            session.send(RawSession.frame(FrameType.CALL.code(), 0, call));
            while (true) {
                // Uncompressed as a client does: a large reply (a session, a page) comes snappy-compressed.
                Frame frame = session.readDecodedFrame();
                if (frame.type() == FrameType.REPLY) {
                    return decodeReply(function, frame.payload());
                }
                if (frame.type() == FrameType.ERROR) {
                    return new Outcome(sessionError(frame.payload()), null);
                }
                // EVENT, NOTICE: not this call's answer.
            }
        }
    }

    private static String sessionError(byte[] body) throws Exception {
        return session(ThriftCodec.INTERNAL.decode(body, new SessionError()).getCode());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Outcome decodeReply(AsyncProcessFunction<?, ?, ?, ?> function, byte[] reply) throws Exception {
        ThriftMessages.Incoming incoming = ThriftMessages.read(ThriftCodec.INTERNAL, reply, WireProtocol.COMPACT);
        if (incoming.header().type == TMessageType.EXCEPTION) {
            TApplicationException e = incoming.readApplicationException();
            return new Outcome("TApplicationException:" + e.getMessage(), null);
        }
        TBase result = incoming.readBody((TBase) function.getEmptyResultInstance());
        try {
            ThriftMessages.unwrapResult(result, function.getMethodName());
            return new Outcome(OK, result);
        } catch (DuetError e) {
            return new Outcome(duetError(e.getCode()), result);
        }
    }
}
