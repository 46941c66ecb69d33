package io.duet.app.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.duet.app.api.ApiServices;
import io.duet.app.rpc.ServiceBinding;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.fuzz.ThriftLimitsCheck;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.junit.jupiter.api.Test;

/**
 * The decoding of every request struct of every client service, as {@code ServiceDispatcher} does it: a
 * Thrift message read under {@link ThriftLimits#UNTRUSTED}, its header, then the method's arguments struct.
 * The structs come from {@link ApiServices}, the registry the application server serves, so a service or
 * method added there is fuzzed from then on. Input: byte 0 picks the method (modulo the number of methods,
 * in service and method name order), byte 1 the protocol (binary, compact, JSON); the rest follows a valid
 * CALL header naming the method. Byte 0 = {@value #AUTH_REQUEST} picks instead the one struct a client
 * sends outside a call, before it is authenticated: the {@link AuthRequest} of a TCP session's AUTH frame,
 * the rest being the frame's payload, decoded as the presentation server's {@code AuthHandler} does (a
 * bare struct, compact). Properties:
 *
 * <ul>
 *   <li>reading either succeeds or fails with {@link MalformedPayloadException}, nothing else;
 *   <li>what was read is within the untrusted limits;
 *   <li>the arguments encode and decode back to equal arguments, in the same protocol.
 * </ul>
 */
class ClientRequestFuzzTest {
    private static final ThriftCodec UNTRUSTED = new ThriftCodec(ThriftLimits.UNTRUSTED);
    private static final ThriftLimitsCheck LIMITS = new ThriftLimitsCheck(ThriftLimits.UNTRUSTED);
    private static final WireProtocol[] PROTOCOLS = {WireProtocol.BINARY, WireProtocol.COMPACT, WireProtocol.JSON};
    private static final List<Method> METHODS = methods();
    /** Byte 0 that picks the AUTH frame's struct. */
    static final int AUTH_REQUEST = 0xff;

    /** A client-facing method: the name a TCP client calls it by, and its arguments struct. */
    private record Method(String name, Supplier<TBase<?, ?>> emptyArgs) {
    }

    @SuppressWarnings("rawtypes")
    private static List<Method> methods() {
        List<Method> methods = new ArrayList<>();
        for (ServiceBinding<?> binding : ApiServices.catalogue()) {
            binding.emptyArgs().forEach((method, args) -> methods.add(new Method(
                    binding.name() + ThriftMessages.SERVICE_SEPARATOR + method, () -> (TBase<?, ?>) args.deepCopy())));
        }
        return List.copyOf(methods);
    }

    @FuzzTest
    void clientRequests(byte[] input) throws MalformedPayloadException {
        if (input.length < 2) {
            return;
        }
        if ((input[0] & 0xff) == AUTH_REQUEST) {
            authRequest(concat(new byte[0], input, 2));
            return;
        }
        Method method = METHODS.get((input[0] & 0xff) % METHODS.size());
        WireProtocol protocol = PROTOCOLS[(input[1] & 0xff) % PROTOCOLS.length];
        byte[] call = concat(header(method.name(), protocol), input, 2);

        TBase<?, ?> args;
        try {
            ThriftMessages.Incoming incoming = ThriftMessages.read(UNTRUSTED, call, protocol);
            args = incoming.readBody(method.emptyArgs().get());
        } catch (MalformedPayloadException e) {
            return;
        }
        LIMITS.check(args);
        byte[] again = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, protocol, method.name(), 1, args, false);
        ThriftMessages.Incoming incoming = ThriftMessages.read(UNTRUSTED, again, protocol);
        assertThat(incoming.header().name).isEqualTo(method.name());
        assertThat(incoming.readBody(method.emptyArgs().get())).as("%s in %s", method.name(), protocol).isEqualTo(args);
    }

    private static void authRequest(byte[] payload) throws MalformedPayloadException {
        AuthRequest request;
        try {
            request = UNTRUSTED.decode(payload, new AuthRequest());
        } catch (MalformedPayloadException e) {
            return;
        }
        LIMITS.check(request);
        assertThat(UNTRUSTED.decode(ThriftCodec.INTERNAL.encode(request), new AuthRequest())).isEqualTo(request);
    }

    /** The CALL message header naming {@code method}, in {@code protocol}, as a client writes it. */
    static byte[] header(String method, WireProtocol protocol) {
        ThriftCodec.Output output = ThriftCodec.INTERNAL.newOutput(protocol);
        try {
            output.protocol().writeMessageBegin(new TMessage(method, TMessageType.CALL, 1));
        } catch (TException e) {
            throw new IllegalStateException(e);
        }
        return output.toByteArray();
    }

    private static byte[] concat(byte[] head, byte[] input, int from) {
        byte[] all = new byte[head.length + Math.max(0, input.length - from)];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(input, from, all, head.length, all.length - head.length);
        return all;
    }

    @Test
    void theAuthFrameStructHasASeed() throws Exception {
        byte[] seed;
        try (var in = ClientRequestFuzzTest.class.getResourceAsStream(
                "ClientRequestFuzzTestInputs/clientRequests/seed-session-AuthRequest-compact")) {
            assertThat(in).isNotNull();
            seed = in.readAllBytes();
        }
        assertThat(seed[0] & 0xff).isEqualTo(AUTH_REQUEST);
        AuthRequest request = UNTRUSTED.decode(concat(new byte[0], seed, 2), new AuthRequest());
        assertThat(request.getToken()).isEqualTo("token");
        assertThat(request.getApiVersion()).isEqualTo(io.duet.protocol.api.commonConstants.API_VERSION);
    }

    @Test
    void everyServiceInTheRegistryIsFuzzed() {
        assertThat(METHODS).extracting(Method::name)
                .contains("account:signUp", "account:logIn", "pairing:createInvite", "chat:sendMessage",
                        "device:registerPushToken");
    }
}
