package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TMemoryInputTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rate limits seen from outside. Log-in attempts from one address (127.0.0.2) are refused with 429 and
 * a Retry-After once the per-address limit is spent, while a user from another address logs in; over
 * TCP, a device that calls too fast gets {@code RATE_LIMITED} with a retry-after. The local cluster
 * exempts 127.0.0.1 (its load balancer) from per-address limits, so attackers here come from 127.0.0.2 and
 * up. Wrong passwords for one account spend one budget whichever application server checks them.
 * With the history limit raised, a client pipelining heavy calls is held back by backpressure alone
 * ({@link HistoryFlood}).
 */
class RateLimitIT {
    private static final int LOG_INS_PER_ADDRESS = 30;
    private static final int WRONG_PASSWORDS_PER_ACCOUNT = 6;

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster()
            .withServerSetting("limits.log-in.per-address", LOG_INS_PER_ADDRESS + "/1m")
            .withServerSetting("limits.log-in.per-account", WRONG_PASSWORDS_PER_ACCOUNT + "/1h")
            // Out of HistoryFlood's way, so that its calls are heavy (no test here counts history pages).
            .withServerSetting("limits.history.per-device", "1000000/1s");

    @Test
    void aClientPipeliningHeavyCallsWithoutReadingIsHeldBackAndOthersAreServedAsUsual() throws Exception {
        HistoryFlood.run(CLUSTER.get());
    }

    @Test
    void logInsFromOneAddressAreRefusedWith429WhileAnotherAddressLogsIn() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        URI http = cluster.clientHttpEndpoint(0);
        String email = TestCouple.uniqueEmail("victim");
        TestCouple.http(cluster, 0, "phone").signUp(email, "the right password", "Victim");

        int refusedAt = -1;
        HttpReply refused = null;
        for (int i = 0; i < LOG_INS_PER_ADDRESS + 10 && refused == null; i++) {
            // Unknown emails: each would cost an Argon2 hash; the per-account limit stays out of it.
            HttpReply reply = logIn(http, "127.0.0.2", TestCouple.uniqueEmail("guess" + i), "wrong password " + i);
            if (reply.status == 429) {
                refusedAt = i;
                refused = reply;
            } else {
                assertThat(reply.status).as("attempt %d", i).isEqualTo(200);
                assertThat(reply.error().getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED);
            }
        }
        // One token comes back every 2 s while the attempts (each an Argon2 hash) go on.
        assertThat(refusedAt).as("refused once the limit is spent").isBetween(LOG_INS_PER_ADDRESS, LOG_INS_PER_ADDRESS + 5);
        int retryAfterSeconds = Integer.parseInt(refused.header("retry-after"));
        assertThat(retryAfterSeconds).isBetween(1, 2);
        DuetError error = refused.error();
        assertThat(error.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(error.getRetryAfterMillis()).isBetween(1, 2000);
        System.out.printf("RateLimitIT: log-in %d from 127.0.0.2 refused: 429, Retry-After %d s, %s%n",
                refusedAt + 1, retryAfterSeconds, error.getMessage());

        // Even the right password is refused from there now...
        assertThat(logIn(http, "127.0.0.2", email, "the right password").status).isEqualTo(429);
        // ...but the user logs in from elsewhere.
        HttpReply elsewhere = logIn(http, "127.0.0.3", email, "the right password");
        assertThat(elsewhere.status).isEqualTo(200);
        assertThat(elsewhere.session().getToken()).isNotEmpty();
    }

    /**
     * The per-account budget of wrong passwords is counted in HBase, not by each application server: wrong
     * passwords from two addresses, which presentation servers route to the two application servers,
     * spend one budget, after which both servers refuse even the right password. A device that is
     * logged in keeps its session meanwhile.
     */
    @Test
    void wrongPasswordsOverTwoApplicationServersSpendOneBudget() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        URI http = cluster.clientHttpEndpoint(0);
        String email = TestCouple.uniqueEmail("sprayed");
        DuetHttp phone = TestCouple.http(cluster, 0, "phone");
        Session signedUp = phone.signUp(email, "the right password", "Sprayed");
        // Anonymous calls go to the application server their address's hash picks: these two hash to both.
        List<String> addresses = List.of("127.0.0.4", "127.0.0.5");
        List<Node> servers = cluster.applicationServers();
        assertThat(servers).hasSize(2);
        double[] wrongBefore = logInsServed(servers, "unauthenticated");
        double[] refusedBefore = logInsServed(servers, "rate_limited");

        for (int i = 0; i < WRONG_PASSWORDS_PER_ACCOUNT; i++) {
            HttpReply reply = logIn(http, addresses.get(i % 2), email, "wrong password " + i);
            assertThat(reply.status).as("attempt %d", i).isEqualTo(200);
            assertThat(reply.error().getCode()).as("attempt %d", i).isEqualTo(ErrorCode.UNAUTHENTICATED);
        }
        double[] wrong = minus(logInsServed(servers, "unauthenticated"), wrongBefore);
        System.out.printf("RateLimitIT: wrong passwords checked by each application server: %s%n",
                Arrays.toString(wrong));
        assertThat(wrong[0]).as("checked by the first application server").isPositive();
        assertThat(wrong[1]).as("checked by the second application server").isPositive();
        assertThat(wrong[0] + wrong[1]).isEqualTo(WRONG_PASSWORDS_PER_ACCOUNT);

        for (String from : addresses) {
            HttpReply refused = logIn(http, from, email, "the right password");
            assertThat(refused.status).as("from %s", from).isEqualTo(429);
            DuetError error = refused.error();
            assertThat(error.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(error.getMessage()).contains("wrong passwords tried for this account");
            // 6 an hour, all spent just now: the first comes back a sixth into the next hour.
            assertThat(error.getRetryAfterMillis()).isBetween(600_000, 4_200_000);
            System.out.printf("RateLimitIT: the right password from %s after %d wrong ones over 2 servers: 429, %s%n",
                    from, WRONG_PASSWORDS_PER_ACCOUNT, error.getMessage());
        }
        assertThat(minus(logInsServed(servers, "rate_limited"), refusedBefore))
                .as("log-ins refused by each application server").containsExactly(1.0, 1.0);
        // The logged-in device is not locked out: its refresh token still works.
        assertThat(phone.refreshWith(signedUp.getRefreshToken()).getToken()).isNotEmpty();
    }

    /** Log-ins each application server answered with {@code outcome}, by its metrics. */
    private static double[] logInsServed(List<Node> servers, String outcome) throws Exception {
        double[] served = new double[servers.size()];
        for (int i = 0; i < served.length; i++) {
            served[i] = AdminPort.sample(AdminPort.scrape(servers.get(i)), "duet_rpc_server_seconds_count",
                    "method=\"logIn\"", "outcome=\"" + outcome + "\"").orElse(0);
        }
        return served;
    }

    private static double[] minus(double[] after, double[] before) {
        double[] difference = new double[after.length];
        for (int i = 0; i < after.length; i++) {
            difference[i] = after[i] - before[i];
        }
        return difference;
    }

    @Test
    void aDeviceCallingTooFastOverTcpIsToldToWait() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) { // the default allows 10 typing notices a second per device
                calls.add(ann.setTyping(i % 2 == 0));
            }
            List<DuetError> errors = new ArrayList<>();
            for (CompletableFuture<Void> call : calls) {
                try {
                    call.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(DuetError.class);
                    errors.add((DuetError) e.getCause());
                }
            }
            assertThat(errors).isNotEmpty().allSatisfy(e -> {
                assertThat(e.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.getRetryAfterMillis()).isBetween(1, 1000);
            });
            // Sends have their own, larger, budget, and the session is still fine.
            assertThat(ann.send("still here").get(30, TimeUnit.SECONDS).getSeq()).isPositive();
        }
    }

    /** An HTTP reply read off a raw socket. */
    private static final class HttpReply {
        final int status;
        final String head;
        final byte[] body;

        HttpReply(int status, String head, byte[] body) {
            this.status = status;
            this.head = head;
            this.body = body;
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            throw new AssertionError("no " + name + " header in " + head);
        }

        private AccountService.logIn_result result() throws Exception {
            TBinaryProtocol protocol = new TBinaryProtocol(new TMemoryInputTransport(body));
            protocol.readMessageBegin();
            AccountService.logIn_result result = new AccountService.logIn_result();
            result.read(protocol);
            protocol.readMessageEnd();
            return result;
        }

        DuetError error() throws Exception {
            AccountService.logIn_result result = result();
            assertThat(result.isSetError()).as("a DuetError in %s", result).isTrue();
            return result.getError();
        }

        Session session() throws Exception {
            AccountService.logIn_result result = result();
            assertThat(result.isSetSuccess()).as("a session in %s", result).isTrue();
            return result.getSuccess();
        }
    }

    /** {@code logIn} over HTTP from a socket bound to {@code from}: java.net.http cannot choose its source. */
    private static HttpReply logIn(URI server, String from, String email, String password) throws Exception {
        TMemoryBuffer buffer = new TMemoryBuffer(256);
        new AccountService.Client(new TBinaryProtocol(buffer)).send_logIn(new LogInRequest(email, password, "phone"));
        byte[] call = Arrays.copyOf(buffer.getArray(), buffer.length());
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/account HTTP/1.1\r\nHost: " + server.getHost() + "\r\n"
                    + "Content-Type: application/vnd.apache.thrift.binary\r\nContent-Length: " + call.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(call);
            out.flush();
            byte[] all = readAll(socket.getInputStream());
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.split(" ")[1]);
            return new HttpReply(status, head, Arrays.copyOfRange(all, end + 4, all.length));
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toByteArray();
    }
}
