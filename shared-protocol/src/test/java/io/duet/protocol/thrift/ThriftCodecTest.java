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

    @Test
    void encodesOnOneThreadAfterOneAnotherAndNested() throws Exception {
        Message big = new Message().setSeq(1).setText("x".repeat(100_000));
        Message small = new Message().setSeq(2).setText("y");
        byte[] bigBytes = ThriftCodec.INTERNAL.encode(big);
        byte[] smallBytes = ThriftCodec.INTERNAL.encode(small);
        assertThat(ThriftCodec.INTERNAL.decode(bigBytes, new Message())).isEqualTo(big);
        assertThat(ThriftCodec.INTERNAL.decode(smallBytes, new Message())).isEqualTo(small);
        assertThat(smallBytes).isEqualTo(encodeAlone(small));

        // An encode inside an encode (a writer that encodes something else) gets its own buffer.
        byte[][] inner = new byte[1][];
        byte[] outer = ThriftCodec.INTERNAL.encode(WireProtocol.COMPACT, out -> {
            out.writeStructBegin(new org.apache.thrift.protocol.TStruct("Message"));
            inner[0] = ThriftCodec.INTERNAL.encode(small);
            out.writeFieldStop();
            out.writeStructEnd();
        });
        assertThat(inner[0]).isEqualTo(smallBytes);
        assertThat(outer).containsExactly(0);
    }

    @Test
    void aFailedEncodeLeavesTheNextOneWhole() throws Exception {
        Message message = new Message().setSeq(3).setText("after");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ThriftCodec.INTERNAL.encode(WireProtocol.COMPACT, out -> {
            out.writeStructBegin(new org.apache.thrift.protocol.TStruct("Message"));
            out.writeFieldBegin(new org.apache.thrift.protocol.TField("seq", org.apache.thrift.protocol.TType.I64, (short) 1));
            throw new TException("writer gave up");
        })).isInstanceOf(TException.class);
        assertThat(ThriftCodec.INTERNAL.encode(message)).isEqualTo(encodeAlone(message));
    }

    /** {@code value} encoded through a protocol of its own, as before buffers were reused. */
    private static byte[] encodeAlone(Message value) throws TException {
        ThriftCodec.Output output = ThriftCodec.INTERNAL.newOutput(WireProtocol.COMPACT);
        value.write(output.protocol());
        return output.toByteArray();
    }
}
