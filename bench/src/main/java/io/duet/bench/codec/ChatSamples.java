package io.duet.bench.codec;

import io.duet.bench.TextMix;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.thrift.UuidBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The chat traffic of one couple as Duet puts it on the wire, built by the codecs the client and the servers
 * use: for each text of a {@link TextMix}, the sender's {@code chat:sendMessage} call (named by its method id,
 * and filled in as the SDK does: a fresh client message id as 16 bytes, ordinals, and its session's order stream
 * in the first send only, which the server keeps for the session), the server's reply, and the stored message
 * that is pushed as an event. Ids, sequence numbers and clocks have realistic sizes (random 63-bit
 * user ids, epoch milliseconds), because varints make the sizes depend on them. Deterministic for a seed.
 */
public final class ChatSamples {
    /**
     * The name a send carries on a TCP session, and its reply: its method id, as the SDK names it once the
     * couple's server says it takes method ids.
     */
    public static final String SEND_METHOD = MethodIds.idOrFullName(commonConstants.CHAT_SERVICE, "sendMessage");

    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final Random random;
    private final TextMix texts;
    private final long senderId;
    private final String senderDeviceId;
    private final String orderStream;
    private long seq;
    private long ordinal;
    private long clock = 1_795_000_000_000L;

    /** @param meanTextLength the mean length of the texts, in characters */
    public ChatSamples(long seed, int meanTextLength) {
        this.random = new Random(seed);
        this.texts = new TextMix(meanTextLength);
        this.senderId = random.nextLong() & Long.MAX_VALUE;
        this.senderDeviceId = uuid();
        this.orderStream = uuid();
        // A couple some weeks into chatting.
        this.seq = 10_000 + random.nextInt(10_000);
    }

    /** The id of the user who sends every sample. */
    public long senderId() {
        return senderId;
    }

    public String senderDeviceId() {
        return senderDeviceId;
    }

    /** The next message, as the sender's call, the server's reply and the pushed event carry it. */
    public Sample next() {
        String text = texts.next(random);
        ordinal++;
        seq++;
        clock += 1 + random.nextInt(20_000);
        int seqid = (int) ordinal;
        // The session's first send names the order stream; the server keeps it, and the later ones leave it out.
        boolean first = ordinal == 1;
        UUID id = new UUID(random.nextLong(), random.nextLong());
        SendMessageRequest request = new SendMessageRequest(id.toString(), text, 1)
                .setOrderStream(first ? orderStream : null)
                .setOrdinal(ordinal)
                .setAfterOrdinal(ordinal - 1);
        Message message = new Message(seq, request.getClientMessageId(), senderId, senderDeviceId, clock,
                MessageKind.TEXT, text);
        ChatService.sendMessage_result result = new ChatService.sendMessage_result()
                .setSuccess(new SendMessageResult(seq, clock, false));
        if (first) {
            result.getSuccess().setOrderStreamKept(true);
        }
        return new Sample(request, message,
                ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, SEND_METHOD, seqid,
                        new ChatService.sendMessage_args(idAsBytes(request, id)), false),
                ThriftMessages.encodeReply(CODEC, WireProtocol.COMPACT, SEND_METHOD, seqid, result),
                CODEC.encode(event(message)));
    }

    /** {@code request} as the SDK sends it to a server that takes ids as bytes: the id's 16 bytes, no string. */
    private static SendMessageRequest idAsBytes(SendMessageRequest request, UUID id) {
        return request.deepCopy().setClientMessageId(null).setClientMessageIdBytes(UuidBytes.of(id));
    }

    /** The next {@code count} messages. */
    public List<Sample> next(int count) {
        List<Sample> samples = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            samples.add(next());
        }
        return samples;
    }

    /** A history page of the next {@code count} messages: a batch, as a client catching up reads it. */
    public HistoryPage page(int count) {
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(next().message());
        }
        return new HistoryPage(messages, true, seq + 100);
    }

    /** The event that delivers {@code message}, as the couple's server pushes it. */
    public static Event event(Message message) {
        return Event.message(new MessageEvent(message));
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    /**
     * One message in all its forms.
     *
     * @param request the send with its client message id as a string (the JSON baseline's), not as sent
     * @param call the body of the sender's CALL frame (compact Thrift)
     * @param reply the body of the REPLY frame that acknowledges it
     * @param event the body of the EVENT frame that delivers it (an {@code api.Event})
     */
    public record Sample(SendMessageRequest request, Message message, byte[] call, byte[] reply, byte[] event) {
    }
}
