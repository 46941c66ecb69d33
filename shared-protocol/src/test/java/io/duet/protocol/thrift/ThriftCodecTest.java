package io.duet.protocol.thrift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.relay.WireProtocol;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TMessageType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ThriftCodecTest {
    private final ThriftCodec codec = new ThriftCodec(ThriftLimits.of(4096, 10, 8));

    @ParameterizedTest
    @EnumSource(WireProtocol.class)
    void roundTripsCallAndReplyInEveryProtocol(WireProtocol protocol) throws Exception {
        SendMessageRequest request = new SendMessageRequest().setClientMessageId("c-1").setText("안녕");
        byte[] call = ThriftMessages.encodeCall(codec, protocol, "chat:sendMessage", 7,
                new ChatService.sendMessage_args(request), false);

        ThriftMessages.Incoming incoming = ThriftMessages.read(codec, call, protocol);
        assertThat(incoming.header().name).isEqualTo("chat:sendMessage");
        assertThat(incoming.header().seqid).isEqualTo(7);
        assertThat(incoming.header().type).isEqualTo(TMessageType.CALL);
        assertThat(incoming.readBody(new ChatService.sendMessage_args()).getRequest()).isEqualTo(request);

        ChatService.sendMessage_result result = new ChatService.sendMessage_result();
        ThriftMessages.setSuccess(result, new SendMessageResult().setSeq(42));
        byte[] reply = ThriftMessages.encodeReply(codec, protocol, "sendMessage", 7, result);
        ThriftMessages.Incoming replyIn = ThriftMessages.read(codec, reply, protocol);
        Object value = ThriftMessages.unwrapResult(replyIn.readBody(new ChatService.sendMessage_result()),
                "sendMessage");
        assertThat(((SendMessageResult) value).getSeq()).isEqualTo(42);
    }

    @Test
    void declaredExceptionsTravelInTheResultStruct() throws Exception {
        ChatService.sendMessage_result result = new ChatService.sendMessage_result();
        DuetError error = new DuetError(ErrorCode.NOT_PAIRED).setMessage("no couple");
        assertThat(ThriftMessages.setDeclaredException(result, error)).isTrue();
        assertThat(ThriftMessages.setDeclaredException(result, new IllegalStateException())).isFalse();

        byte[] bytes = codec.encode(result);
        ChatService.sendMessage_result decoded = codec.decode(bytes, new ChatService.sendMessage_result());
        assertThatThrownBy(() -> ThriftMessages.unwrapResult(decoded, "sendMessage"))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.NOT_PAIRED));
    }

    @Test
    void rejectsListLongerThanContainerLimit() {
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            messages.add(new Message().setSeq(i));
        }
        byte[] bytes = ThriftCodec.INTERNAL.encode(new HistoryPage().setMessages(messages));
        assertThatThrownBy(() -> codec.decode(bytes, new HistoryPage()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("HistoryPage");
    }

    @Test
    void rejectsStringLongerThanTheMessage() {
        // Field 2 (text, a string) declaring 1 MiB while the payload is a few bytes.
        byte[] bytes = {0x28, (byte) 0x80, (byte) 0x80, 0x40, 'x', 0x00};
        assertThatThrownBy(() -> codec.decode(bytes, new SendMessageRequest()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("exceeds limit");
    }

    @Test
    void rejectsPayloadOverMessageLimitBeforeReading() {
        assertThatThrownBy(() -> codec.decode(new byte[4097], new SendMessageRequest()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessage("payload of 4097 bytes exceeds the limit of 4096 bytes");
    }

    @Test
    void rejectsUnknownFieldsNestedDeeperThanTheLimit() {
        // Unknown field 15 holding structs nested 50 deep: skipping them must stop at the depth limit.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            out.write(0xFC); // field delta 15, type struct (12)
        }
        for (int i = 0; i < 51; i++) {
            out.write(0x00);
        }
        byte[] bytes = out.toByteArray();
        assertThatThrownBy(() -> codec.decode(bytes, new FetchHistoryRequest()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("depth");
    }

    @Test
    void rejectsGarbage() {
        byte[] garbage = {(byte) 0xDE, (byte) 0xAD, (byte) 0xBE, (byte) 0xEF, 0x13, 0x37};
        assertThatThrownBy(() -> ThriftMessages.read(codec, garbage, WireProtocol.COMPACT))
                .isInstanceOf(MalformedPayloadException.class);
    }

    @Test
    void voidResultUnwrapsToNull() throws TException {
        assertThat(ThriftMessages.unwrapResult(new ChatService.setTyping_result()
                .setSuccess(new io.duet.protocol.api.SetTypingResult()), "setTyping")).isNotNull();
    }
}
