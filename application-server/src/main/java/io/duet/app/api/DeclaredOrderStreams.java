package io.duet.app.api;

import io.duet.app.couple.CoupleLimits;
import io.duet.app.couple.SessionStream;
import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import java.util.concurrent.CompletableFuture;

/**
 * The order stream named once per TCP session (see {@code SendMessageRequest.orderStream}): a send that
 * names its stream and is acknowledged declares it for the session (the reply says so, {@code
 * orderStreamKept}); a send refused anywhere (rate limit, ordering checks, the couple's queue) declares
 * nothing. A later send of the session that leaves it out (ordinal set) is filled in with it here, before
 * anything else reads the request, so that ordering and dedup see every send as if it had named its stream.
 * A session that declared none (it is new: a reconnect or a session move) refuses such a send with {@code
 * ORDER_STREAM_UNDECLARED}; over HTTP, where nothing is declared, it stays {@code INVALID_ARGUMENT}, as it
 * always was.
 */
final class DeclaredOrderStreams {
    private DeclaredOrderStreams() {
    }

    /**
     * Fills in the stream {@code session} declared if {@code request} leaves it out.
     *
     * @param session the TCP session of the call; null over HTTP
     * @return the stream {@code session} is to keep once the send is acknowledged ({@link #keepOnAcknowledgement}):
     *     the one {@code request} names, over TCP, within limits; null for none
     * @throws DuetError when {@code request} leaves its stream out and {@code session} declared none
     */
    static String resolve(SendMessageRequest request, SessionStream session) throws DuetError {
        if (request.isSetOrderStream()) {
            String stream = request.getOrderStream();
            return session != null && !stream.isEmpty() && stream.length() <= CoupleLimits.MAX_ORDER_STREAM_CHARS
                    ? stream : null;
        }
        if (!request.isSetOrdinal() || session == null) {
            // No ordering, or HTTP: the send is checked as it always was.
            return null;
        }
        String declared = session.keptOrderStream();
        if (declared == null) {
            throw ApiErrors.of(ErrorCode.ORDER_STREAM_UNDECLARED, "ordinal " + request.getOrdinal()
                    + " without an orderStream, and this session has declared none (it is new: a reconnect or a"
                    + " session move); send it again naming its orderStream").setRetryAfterMillis(0);
        }
        request.setOrderStream(declared);
        return null;
    }

    /**
     * {@code sent}, but once it is acknowledged {@code session} keeps {@code stream} and the result says so;
     * a send that fails keeps nothing.
     *
     * @param stream what {@link #resolve} returned; null: {@code sent} as it is
     */
    static CompletableFuture<SendMessageResult> keepOnAcknowledgement(CompletableFuture<SendMessageResult> sent,
            String stream, SessionStream session) {
        if (stream == null) {
            return sent;
        }
        // Kept before the reply is written, so the session's next send finds it. A copy of the result: the
        // actor may hand the same one to a retry of the send.
        return sent.thenApply(result -> session.keepOrderStream(stream)
                ? new SendMessageResult(result).setOrderStreamKept(true) : result);
    }
}
