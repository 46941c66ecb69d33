package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behind the load balancer, TCP sign-ups count against the client's address, not HAProxy's: HAProxy sends a
 * PROXY v2 header before each client connection's bytes, and a presentation server believes it from its
 * trusted proxies ({@code http.trusted-proxies}, 127.0.0.1 in the local cluster) only. Clients here sign up
 * from 127.0.0.3 and up (the local cluster exempts 127.0.0.1 from per-address limits), with the limit at
 * {@value #SIGN_UPS_PER_ADDRESS} an hour: through HAProxy, two source addresses get a budget each. Straight
 * to a presentation server, a trusted peer's hand-made header names the source likewise, and a trusted
 * peer without one is served as itself; an untrusted peer's header is not honoured (the connection is
 * refused as bad frames), and a bad header from a trusted peer closes the connection.
 */
class ProxyProtocolIT {
    private static final int SIGN_UPS_PER_ADDRESS = 2;
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1).withPresentationServers(1)
            .withServerSetting("limits.sign-up.per-address", SIGN_UPS_PER_ADDRESS + "/1h");

    @Test
    void throughTheLoadBalancerEachClientAddressHasItsOwnSignUpBudget() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        assertThat(cluster.clientEndpoint().loadBalanced()).as("HAProxy in front (apt-get install haproxy)").isTrue();
        InetSocketAddress endpoint = cluster.clientEndpoint().tcp();

        try (Connection first = new Connection(endpoint, "127.0.0.3", null)) {
            for (int i = 0; i < SIGN_UPS_PER_ADDRESS; i++) {
                assertThat(first.signUp("first-" + i)).as("sign-up %d from 127.0.0.3", i).isNull();
            }
            assertThat(first.signUp("first-over")).as("one more from 127.0.0.3").isEqualTo(ErrorCode.RATE_LIMITED);
        }
        try (Connection second = new Connection(endpoint, "127.0.0.4", null)) {
            assertThat(second.signUp("second")).as("another address's budget").isNull();
        }
        // 127.0.0.3 stays spent on a new connection too.
        try (Connection again = new Connection(endpoint, "127.0.0.3", null)) {
            assertThat(again.signUp("first-again")).isEqualTo(ErrorCode.RATE_LIMITED);
        }
    }

    @Test
    void straightToAServerATrustedPeersHeaderNamesTheClientAndAnUntrustedPeersIsNotHonoured() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        InetSocketAddress server = cluster.clientTcpEndpoint(0);

        // From 127.0.0.1 (trusted), headers naming two sources: a budget each.
        try (Connection faked = new Connection(server, "127.0.0.1", proxyHeader("198.51.100.7", 40001))) {
            for (int i = 0; i < SIGN_UPS_PER_ADDRESS; i++) {
                assertThat(faked.signUp("faked-" + i)).isNull();
            }
            assertThat(faked.signUp("faked-over")).isEqualTo(ErrorCode.RATE_LIMITED);
        }
        try (Connection other = new Connection(server, "127.0.0.1", proxyHeader("198.51.100.8", 40002))) {
            assertThat(other.signUp("other")).isNull();
        }
        // A trusted peer without a header (a client connecting straight): served as itself (exempt here).
        try (Connection direct = new Connection(server, "127.0.0.1", null)) {
            for (int i = 0; i <= SIGN_UPS_PER_ADDRESS; i++) {
                assertThat(direct.signUp("direct-" + i)).isNull();
            }
        }
        // An untrusted peer's header is no frame: refused, and nothing it says counts.
        try (Connection untrusted = new Connection(server, "127.0.0.5", proxyHeader("198.51.100.9", 40003))) {
            assertThat(untrusted.errorAfterSignUp()).isIn(SessionErrorCode.BAD_FRAME, SessionErrorCode.FRAME_TOO_LARGE);
        }
        // A trusted peer's malformed header (an unknown address family) closes the connection, unanswered.
        byte[] malformed = proxyHeader("198.51.100.10", 40004);
        malformed[13] = 0x71;
        try (Connection bad = new Connection(server, "127.0.0.1", malformed)) {
            assertThat(bad.closedWithoutReply()).isTrue();
        }
        // One that says it is longer than a presentation server takes: closed too.
        byte[] oversized = proxyHeader("198.51.100.11", 40005);
        ByteBuffer.wrap(oversized).putShort(14, (short) 4000);
        try (Connection bad = new Connection(server, "127.0.0.1", oversized)) {
            assertThat(bad.closedWithoutReply()).isTrue();
        }
    }

    /** A PROXY v2 header (PROXY command, TCP over IPv4) from {@code source}:{@code port}. */
    private static byte[] proxyHeader(String source, int port) throws IOException {
        return ByteBuffer.allocate(28).put(SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12)
                .put(InetAddress.getByName(source).getAddress()).put(InetAddress.getLoopbackAddress().getAddress())
                .putShort((short) port).putShort((short) 7410).array();
    }

    /** A client TCP connection from {@code from}, starting with {@code preamble} (null: none), that signs up before AUTH. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket = new Socket();
        private final DataInputStream in;
        private int seqid;

        Connection(InetSocketAddress server, String from, byte[] preamble) throws IOException {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(server, 5000);
            socket.setSoTimeout(20_000);
            in = new DataInputStream(socket.getInputStream());
            if (preamble != null) {
                socket.getOutputStream().write(preamble);
            }
        }

        private void sendSignUp(String name) throws IOException {
            SignUpRequest request = new SignUpRequest(TestCouple.uniqueEmail(name), "a long enough password", name, "phone");
            byte[] call = ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, commonConstants.ACCOUNT_SERVICE
                    + ThriftMessages.SERVICE_SEPARATOR + "signUp", ++seqid, new AccountService.signUp_args(request), false);
            socket.getOutputStream().write(RawSession.frame(FrameType.CALL.code(), 0, call));
            socket.getOutputStream().flush();
        }

        /** Signs up; null when it succeeded, else the error's code. */
        ErrorCode signUp(String name) throws Exception {
            sendSignUp(name);
            int length = in.readInt();
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] body = new byte[length - 2];
            in.readFully(body);
            assertThat(type).as("a REPLY frame").isEqualTo(FrameType.REPLY.code());
            AccountService.signUp_result result = ThriftMessages.read(CODEC, body, WireProtocol.COMPACT)
                    .readBody(new AccountService.signUp_result());
            if (result.isSetSuccess()) {
                return null;
            }
            assertThat(result.isSetError()).as("a DuetError in %s", result).isTrue();
            return result.getError().getCode();
        }

        /** Signs up, and expects the server's ERROR frame instead of a reply. */
        SessionErrorCode errorAfterSignUp() throws Exception {
            try {
                sendSignUp("refused");
            } catch (SocketException e) {
                // closed already; the ERROR frame may still be read
            }
            int length = in.readInt();
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] body = new byte[length - 2];
            in.readFully(body);
            assertThat(type).as("an ERROR frame").isEqualTo(FrameType.ERROR.code());
            return CODEC.decode(body, new SessionError()).getCode();
        }

        /** Signs up, and expects the connection closed with nothing written back. */
        boolean closedWithoutReply() throws IOException {
            try {
                sendSignUp("closed");
                return in.read() == -1;
            } catch (EOFException | SocketException e) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
