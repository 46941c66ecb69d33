package io.duet.app.api;

import io.duet.app.couple.CoupleLimits;
import io.duet.app.couple.SessionStream;
import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SendMessageRequest;

/**
 * The order stream named once per TCP session (see {@code SendMessageRequest.orderStream}): a send that
 * names its stream declares it for the session, and a later send of the session that leaves it out (ordinal
 * set) is filled in with it here, before anything else reads the request, so that ordering and dedup see
 * every send as if it had named its stream. A session that declared none (it is new: a reconnect or a session
 * move) refuses such a send with {@code ORDER_STREAM_UNDECLARED}; over HTTP, where nothing is declared, it
 * stays {@code INVALID_ARGUMENT}, as it always was.
 */
final class DeclaredOrderStreams {
    private DeclaredOrderStreams() {
    }

    /**
     * Declares the stream {@code request} names on {@code session}, or fills in the one {@code session}
     * declared.
     *
     * @param session the TCP session of the call; null over HTTP
     * @return whether {@code session} keeps the stream {@code request} named (the reply says so, {@code
     *     orderStreamKept}, and the client may leave it out from then on)
     * @throws DuetError when {@code request} leaves its stream out and {@code session} declared none
     */
    static boolean resolve(SendMessageRequest request, SessionStream session) throws DuetError {
        if (request.isSetOrderStream()) {
            String stream = request.getOrderStream();
            return session != null && !stream.isEmpty() && stream.length() <= CoupleLimits.MAX_ORDER_STREAM_CHARS
                    && session.keepOrderStream(stream);
        }
        if (!request.isSetOrdinal() || session == null) {
            // No ordering, or HTTP: the send is checked as it always was.
            return false;
        }
        String declared = session.keptOrderStream();
        if (declared == null) {
            throw ApiErrors.of(ErrorCode.ORDER_STREAM_UNDECLARED, "ordinal " + request.getOrdinal()
                    + " without an orderStream, and this session has declared none (it is new: a reconnect or a"
                    + " session move); send it again naming its orderStream").setRetryAfterMillis(0);
        }
        request.setOrderStream(declared);
        return false;
    }
}
