package io.duet.app.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.async.AsyncMethodCallback;
import org.apache.thrift.protocol.TMessageType;
import org.junit.jupiter.api.Test;

/** A TCP session's call named by its method id is served as the method, and replied under the name it came with. */
class MethodIdsDispatchTest {
    private final List<byte[]> replies = new ArrayList<>();
    private final ServiceDispatcher dispatcher = readStateOf(12);

    private static ServiceDispatcher readStateOf(long readUpTo) {
        ChatService.AsyncIface chat = (ChatService.AsyncIface) Proxy.newProxyInstance(
                ChatService.AsyncIface.class.getClassLoader(), new Class<?>[] {ChatService.AsyncIface.class},
                (proxy, method, args) -> {
                    @SuppressWarnings("unchecked")
                    AsyncMethodCallback<ReadState> callback = (AsyncMethodCallback<ReadState>) args[args.length - 1];
                    callback.onComplete(new ReadState().setReadUpTo(readUpTo));
                    return null;
                });
        return new ServiceDispatcher(List.of(ServiceBinding.of("chat", new ChatService.AsyncProcessor<>(null),
                context -> chat, ServiceBinding.Access.USER, Set.of())));
    }

    private ThriftMessages.Incoming call(String name) throws Exception {
        byte[] call = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, name, 5,
                new ChatService.getReadState_args(new GetReadStateRequest()), false);
        dispatcher.dispatch(new CallContext(Caller.of(7, 42, "phone"), null), WireProtocol.COMPACT, null, call,
                new ServiceDispatcher.Replier() {
                    @Override
                    public void reply(byte[] message) {
                        replies.add(message);
                    }

                    @Override
                    public void protocolError(String detail) {
                        throw new AssertionError("protocol error: " + detail);
                    }
                });
        assertThat(replies).hasSize(1);
        return ThriftMessages.read(ThriftCodec.INTERNAL, replies.remove(0), WireProtocol.COMPACT);
    }

    @Test
    void aCallNamedByItsIdIsServedAndItsReplyCarriesTheId() throws Exception {
        ThriftMessages.Incoming reply = call("6");
        assertThat(reply.header().name).isEqualTo("6");
        assertThat(reply.header().seqid).isEqualTo(5);
        assertThat(reply.readBody(new ChatService.getReadState_result()).getSuccess().getReadUpTo()).isEqualTo(12);
    }

    @Test
    void aCallNamedInFullIsRepliedInFull() throws Exception {
        ThriftMessages.Incoming reply = call("chat:getReadState");
        assertThat(reply.header().name).isEqualTo("chat:getReadState");
        assertThat(reply.readBody(new ChatService.getReadState_result()).getSuccess().getReadUpTo()).isEqualTo(12);
    }

    @Test
    void anIdNoMethodHasIsAnUnknownMethod() throws Exception {
        ThriftMessages.Incoming reply = call("99");
        assertThat(reply.header().type).isEqualTo(TMessageType.EXCEPTION);
        assertThat(reply.readApplicationException().getType()).isEqualTo(TApplicationException.UNKNOWN_METHOD);
    }
}
