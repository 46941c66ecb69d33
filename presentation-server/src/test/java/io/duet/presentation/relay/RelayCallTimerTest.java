package io.duet.presentation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ClientApi;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RelayCallTimerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RelayCallMeters meters = new RelayCallMeters(registry);
    private final EmbeddedChannel channel = new EmbeddedChannel(new RelayCallTimer(meters));

    private static byte[] call(String name, int seqid, WireProtocol protocol) {
        return ThriftMessages.encodeCall(ThriftCodec.INTERNAL, protocol, name, seqid,
                new ChatService.setTyping_args(), false);
    }

    private static byte[] reply(String name, int seqid, WireProtocol protocol) {
        return ThriftMessages.encodeReply(ThriftCodec.INTERNAL, protocol, name, seqid, new ChatService.setTyping_result());
    }

    private void open(long stream, WireProtocol protocol) {
        channel.writeOutbound(RelayFrame.open(new OpenStream().setStreamId(stream).setKind(StreamKind.SESSION)
                .setProtocol(protocol)));
    }

    private static RelayFrame data(long stream, PayloadKind kind, byte[] payload) {
        return RelayFrame.data(new StreamData(stream, kind, ByteBuffer.wrap(payload)));
    }

    private Timer timer(String service, String method) {
        return registry.get(RelayCallMeters.CALLS).tags("service", service, "method", method).timer();
    }

    @Test
    void aReplyEndsTheCallWithTheSameSequenceIdOnItsStream() {
        open(1, WireProtocol.COMPACT);
        channel.writeOutbound(data(1, PayloadKind.CALL, call("chat:setTyping", 7, WireProtocol.COMPACT)));
        channel.writeOutbound(data(1, PayloadKind.CALL, call("chat:setTyping", 8, WireProtocol.COMPACT)));
        channel.writeInbound(data(1, PayloadKind.REPLY, reply("chat:setTyping", 8, WireProtocol.COMPACT)));
        channel.writeInbound(data(1, PayloadKind.REPLY, reply("chat:setTyping", 99, WireProtocol.COMPACT)));

        assertThat(timer("chat", "setTyping").count()).isEqualTo(1);
        channel.writeInbound(data(1, PayloadKind.REPLY, reply("chat:setTyping", 7, WireProtocol.COMPACT)));
        assertThat(timer("chat", "setTyping").count()).isEqualTo(2);
    }

    @Test
    void httpCallsNameTheirMethodAloneAndUnknownNamesAreNotTags() {
        open(3, WireProtocol.JSON);
        channel.writeOutbound(data(3, PayloadKind.CALL, call("setTyping", 1, WireProtocol.JSON)));
        channel.writeInbound(data(3, PayloadKind.REPLY, reply("setTyping", 1, WireProtocol.JSON)));
        open(4, WireProtocol.COMPACT);
        channel.writeOutbound(data(4, PayloadKind.CALL, call("chat:doesNotExist-" + System.nanoTime(), 1,
                WireProtocol.COMPACT)));
        channel.writeInbound(data(4, PayloadKind.REPLY, reply("x", 1, WireProtocol.COMPACT)));

        assertThat(timer("chat", "setTyping").count()).isEqualTo(1);
        assertThat(timer("unknown", "unknown").count()).isEqualTo(1);
        assertThat(registry.get(RelayCallMeters.CALLS).timers()).allMatch(t -> !t.getId().getTag("method")
                .startsWith("doesNotExist"));
    }

    @Test
    void everyServiceOfTheApiIsTagged() {
        open(5, WireProtocol.COMPACT);
        for (String call : new String[] {"memo:listMemos", "calendar:getCalendar", "photo:getPhotoUrls",
                "device:registerPushToken", "feed:pollEvents", "account:logIn", "pairing:createInvite"}) {
            channel.writeOutbound(data(5, PayloadKind.CALL, call(call, 1, WireProtocol.COMPACT)));
            channel.writeInbound(data(5, PayloadKind.REPLY, reply(call, 1, WireProtocol.COMPACT)));
        }

        assertThat(timer("memo", "listMemos").count()).isEqualTo(1);
        assertThat(timer("calendar", "getCalendar").count()).isEqualTo(1);
        assertThat(timer("photo", "getPhotoUrls").count()).isEqualTo(1);
        assertThat(timer("device", "registerPushToken").count()).isEqualTo(1);
        assertThat(timer("feed", "pollEvents").count()).isEqualTo(1);
        assertThat(timer("unknown", "unknown").count()).isZero();
    }

    @Test
    void everyMethodOfTheClientApiHasATimerOfItsOwn() {
        for (ClientApi.Service<?> service : ClientApi.SERVICES) {
            for (String method : service.methods()) {
                assertThat(registry.get(RelayCallMeters.CALLS).tags("service", service.name(), "method", method).timer())
                        .as(service + ":" + method).isNotNull();
            }
        }
    }

    @Test
    void streamsAreCountedWhileOpenAndTheirUnansweredCallsForgotten() {
        open(1, WireProtocol.COMPACT);
        open(2, WireProtocol.COMPACT);
        channel.writeOutbound(data(1, PayloadKind.CALL, call("chat:setTyping", 1, WireProtocol.COMPACT)));
        assertThat(registry.get(RelayCallMeters.STREAMS_OPEN).gauge().value()).isEqualTo(2);

        channel.writeInbound(RelayFrame.close(new CloseStream(1, CloseReason.NOT_OWNER)));
        channel.writeInbound(data(1, PayloadKind.REPLY, reply("chat:setTyping", 1, WireProtocol.COMPACT)));
        assertThat(registry.get(RelayCallMeters.STREAMS_OPEN).gauge().value()).isEqualTo(1);
        assertThat(timer("chat", "setTyping").count()).isZero();

        channel.close();
        assertThat(registry.get(RelayCallMeters.STREAMS_OPEN).gauge().value()).isZero();
    }

    @Test
    void compactHeadersReadWithoutThrift() {
        byte[] message = call("chat:sendMessage", 300, WireProtocol.COMPACT);
        assertThat(RelayCallTimer.CompactHeader.isCall(message)).isTrue();
        assertThat(RelayCallTimer.CompactHeader.seqid(message)).isEqualTo(300);
        assertThat(RelayCallTimer.CompactHeader.name(message)).isEqualTo("chat:sendMessage");
        assertThat(RelayCallTimer.CompactHeader.isCall(reply("chat:sendMessage", 300, WireProtocol.COMPACT))).isFalse();
        assertThat(RelayCallTimer.CompactHeader.name(new byte[] {(byte) 0x82, 0x21, (byte) 0x80})).isNull();
    }
}
