package io.duet.app.api;

import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.SendMessageRequest;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * A send's client message id sent as the 16 bytes of a UUID ({@code SendMessageRequest.clientMessageIdBytes})
 * becomes its canonical string here, before anything else reads the request: dedup, storage and delivery only
 * ever see the string, so the same id sent as bytes or as that string (an older SDK, or a retry) is one message.
 */
final class ClientMessageIds {
    static final int UUID_BYTES = 16;

    private ClientMessageIds() {
    }

    /**
     * Replaces {@code request}'s bytes id, if it has one, by its canonical UUID string.
     *
     * @throws DuetError INVALID_ARGUMENT when the bytes are not 16, or come with a string id too
     */
    static void toCanonicalString(SendMessageRequest request) throws DuetError {
        if (!request.isSetClientMessageIdBytes()) {
            return;
        }
        if (request.isSetClientMessageId()) {
            throw ApiErrors.invalidArgument("clientMessageId and clientMessageIdBytes: expected one of them, not both");
        }
        ByteBuffer bytes = request.bufferForClientMessageIdBytes();
        if (bytes.remaining() != UUID_BYTES) {
            throw ApiErrors.invalidArgument("clientMessageIdBytes: " + bytes.remaining() + " bytes (expected: "
                    + UUID_BYTES + ")");
        }
        request.setClientMessageId(new UUID(bytes.getLong(bytes.position()), bytes.getLong(bytes.position() + 8))
                .toString());
        request.unsetClientMessageIdBytes();
    }
}
