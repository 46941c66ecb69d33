package io.duet.app.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.couple.NotOwnerException;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.thrift.async.AsyncMethodCallback;
import org.junit.jupiter.api.Test;

/**
 * A call refused before it ran because this server does not own its couple is handed back to a replier that
 * can send it to the owner (an HTTP request's stream), and replied as UNAVAILABLE to one that cannot (a TCP
 * session); a refusal after the call may have started is always replied.
 */
class MovedCallsTest {
    private static final byte[] CALL = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT,
            "getReadState", 3, new ChatService.getReadState_args(new GetReadStateRequest()), false);

    /** What a replier was told. */
    private static final class Recorded implements ServiceDispatcher.Replier {
        final boolean canHandBack;
        final List<byte[]> replies = new ArrayList<>();
        final List<String> handedBack = new ArrayList<>();

        Recorded(boolean canHandBack) {
            this.canHandBack = canHandBack;
        }

        @Override
        public void reply(byte[] message) {
            replies.add(message);
        }

        @Override
        public void protocolError(String detail) {
            throw new AssertionError("protocol error: " + detail);
        }

        @Override
        public boolean handBackMoved(String detail) {
            handedBack.add(detail);
            return canHandBack;
        }
    }

    /** A dispatcher whose chat service fails every call with {@code failure}. */
    private static ServiceDispatcher failingWith(RuntimeException failure) {
        ChatService.AsyncIface chat = (ChatService.AsyncIface) Proxy.newProxyInstance(
                ChatService.AsyncIface.class.getClassLoader(), new Class<?>[] {ChatService.AsyncIface.class},
                (proxy, method, args) -> {
                    ((AsyncMethodCallback<?>) args[args.length - 1]).onError(failure);
                    return null;
                });
        return new ServiceDispatcher(List.of(ServiceBinding.of("chat", new ChatService.AsyncProcessor<>(null),
                context -> chat, ServiceBinding.Access.USER, Set.of())));
    }

    private static void dispatch(ServiceDispatcher dispatcher, Recorded replier) {
        dispatcher.dispatch(new CallContext(Caller.of(7, 42, "phone"), null), WireProtocol.COMPACT, "chat", CALL,
                replier);
    }

    private static DuetError error(byte[] reply) throws Exception {
        ChatService.getReadState_result result = new ChatService.getReadState_result();
        ThriftMessages.read(ThriftCodec.INTERNAL, reply, WireProtocol.COMPACT).readBody(result);
        return result.getError();
    }

    @Test
    void aCallRefusedBeforeItRanIsHandedBackWithoutAReply() {
        Recorded request = new Recorded(true);

        dispatch(failingWith(NotOwnerException.beforeRunning("shard 3 of couple 42 is not owned here")), request);

        assertThat(request.handedBack).containsExactly("shard 3 of couple 42 is not owned here");
        assertThat(request.replies).isEmpty();
    }

    @Test
    void aReplierThatCannotHandItBackGetsUnavailable() throws Exception {
        Recorded session = new Recorded(false);

        dispatch(failingWith(NotOwnerException.beforeRunning("shard 3 of couple 42 is not owned here")), session);

        assertThat(session.replies).hasSize(1);
        assertThat(error(session.replies.get(0)).getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
    }

    @Test
    void aRefusalAfterTheCallMayHaveStartedIsRepliedNeverHandedBack() throws Exception {
        Recorded request = new Recorded(true);

        dispatch(failingWith(new NotOwnerException("couple 42 unloaded after a failed write")), request);

        assertThat(request.handedBack).isEmpty();
        assertThat(request.replies).hasSize(1);
        assertThat(error(request.replies.get(0)).getCode()).isEqualTo(ErrorCode.UNAVAILABLE);
    }
}
