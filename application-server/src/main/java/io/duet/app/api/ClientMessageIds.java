package io.duet.app.api;

import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.thrift.UuidBytes;
import java.nio.ByteBuffer;

/**
 * A send's client message id sent as the 16 bytes of a UUID ({@code SendMessageRequest.clientMessageIdBytes})
 * becomes its canonical (lowercase) string here, before anything else reads the request: dedup, storage and
 * delivery only ever see the string, so the same id sent as bytes or as that string (an older SDK, or a retry)
 * is one message. A string id is kept as it was sent (old rows' dedup entries are keyed on it), so an id sent
 * in uppercase as a string and as bytes is two ids: clients that mix the forms send lowercase strings.
 */
final class ClientMessageIds {
    private ClientMessageIds() {
    }

    /**
     * Replaces {@code request}'s bytes id, if it has one, by its canonical UUID string. An empty string id
     * beside the bytes counts as absent: the Go and C++ generators write {@code clientMessageId} (default
     * requiredness) as "" when it is unset.
     *
     * @throws DuetError INVALID_ARGUMENT when the bytes are not 16, or come with a non-empty string id too
     */
    static void toCanonicalString(SendMessageRequest request) throws DuetError {
        if (!request.isSetClientMessageIdBytes()) {
            return;
        }
        if (request.isSetClientMessageId() && !request.getClientMessageId().isEmpty()) {
            throw ApiErrors.invalidArgument("clientMessageId and clientMessageIdBytes: expected one of them, not both");
        }
        ByteBuffer bytes = request.bufferForClientMessageIdBytes();
        if (bytes.remaining() != UuidBytes.LENGTH) {
            throw ApiErrors.invalidArgument("clientMessageIdBytes: " + bytes.remaining() + " bytes (expected: "
                    + UuidBytes.LENGTH + ")");
        }
        request.setClientMessageId(UuidBytes.toUuid(bytes).toString());
        request.unsetClientMessageIdBytes();
    }
}
