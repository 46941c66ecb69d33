package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.CreateInviteRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SignUpRequest;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TJSONProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.THttpClient;
import org.apache.thrift.transport.TTransportException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API as a stock Thrift client on another platform would use it, and what it answers to
 * requests that are not Thrift calls.
 */
class HttpApiIT {
    private static LocalCluster cluster;
    private static URI base;
    private static final HttpClient RAW = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SharedCluster.get();
        base = cluster.clientHttpEndpoint(1);
    }

    /** A stock THttpClient: it sends Content-Type application/x-thrift whatever the protocol. */
    private static THttpClient transport(String service, String token) throws TTransportException {
        THttpClient transport = new THttpClient(base.resolve("/api/v1/" + service).toString());
        if (token != null) {
            transport.setCustomHeader("Authorization", "Bearer " + token);
        }
        return transport;
    }

    @Test
    void stockBinaryClientSignsUpAndLogsIn() throws Exception {
        String email = TestCouple.uniqueEmail("bin");
        AccountService.Client account = new AccountService.Client(new TBinaryProtocol(transport("account", null)));
        Session signedUp = account.signUp(new SignUpRequest(email, "binary password", "Bin", "device-1"));
        Session loggedIn = account.logIn(new LogInRequest(email.toUpperCase(), "binary password", "device-2"));
        assertThat(loggedIn.getUserId()).isEqualTo(signedUp.getUserId());
        assertThat(loggedIn.isSetCoupleId()).isFalse();
        assertThatThrownBy(() -> account.logIn(new LogInRequest(email, "wrong password", "device-2")))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));
    }

    @Test
    void stockJsonClientWorksWithAJsonContentType() throws Exception {
        THttpClient transport = transport("account", null);
        transport.setCustomHeader("Content-Type", "application/vnd.apache.thrift.json");
        Session session = new AccountService.Client(new TJSONProtocol(transport))
                .signUp(new SignUpRequest(TestCouple.uniqueEmail("json"), "json password", "Jay", "device-1"));
        assertThat(session.getToken()).startsWith("v1.");

        TProtocol pairing = new TJSONProtocol(transport("pairing", session.getToken()));
        assertThat(new PairingService.Client(pairing).createInvite(new CreateInviteRequest()).getCode()).hasSize(14);
    }

    @Test
    void signingUpAgainWithTheSamePasswordIsARetryNotAnError() throws Exception {
        DuetHttp http = new DuetHttp(base, "phone");
        String email = TestCouple.uniqueEmail("retry");
        Session first = http.signUp(email, "same password", "Re");
        assertThat(http.signUp(email, "same password", "Re").getUserId()).isEqualTo(first.getUserId());
        assertThatThrownBy(() -> http.signUp(email, "other password", "Re"))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.ALREADY_EXISTS));
    }

    @Test
    void invalidSignUpsGetInvalidArgument() {
        DuetHttp http = new DuetHttp(base, "phone");
        assertThatThrownBy(() -> http.signUp("no-at-sign", "long enough", "X"))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getMessage()).contains("email"));
        assertThatThrownBy(() -> http.signUp(TestCouple.uniqueEmail("short"), "short", "X"))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getMessage()).contains("password"));
    }

    @Test
    void chatWorksOverHttpSubscribeIncluded() throws Exception {
        TestCouple couple = TestCouple.pair(cluster);
        ChatService.Client chat = new ChatService.Client(new TBinaryProtocol(transport("chat", couple.ann.getToken())));
        long seq = chat.sendMessage(new SendMessageRequest("http-1", "over http", 1)).getSeq();
        assertThat(chat.sendMessage(new SendMessageRequest("http-1", "over http", 2)).getSeq())
                .as("a retry is stored once").isEqualTo(seq);
        assertThat(chat.fetchHistory(new FetchHistoryRequest(0, 10)).getMessages())
                .extracting(m -> m.getText()).containsExactly("over http");
        assertThatThrownBy(() -> chat.sendMessage(new SendMessageRequest("http-2", "x".repeat(4001), 1)))
                .isInstanceOfSatisfying(DuetError.class, e -> {
                    assertThat(e.getCode()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("4000");
                });
        // Over HTTP, subscribe is a long poll: what is there comes at once, with the messages.
        SubscribeResult polled = chat.subscribe(new SubscribeRequest(0).setWaitMillis(5_000));
        assertThat(polled.getMessages()).extracting(m -> m.getText()).containsExactly("over http");
        assertThat(polled.isHasMore()).isFalse();
    }

    @Test
    void callsNeedingATokenOrACoupleSayWhich() throws Exception {
        assertThatThrownBy(() -> new PairingService.Client(new TBinaryProtocol(transport("pairing", null)))
                .createInvite(new CreateInviteRequest()))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        Session unpaired = new DuetHttp(base, "p").signUp(TestCouple.uniqueEmail("solo"), "solo password", "Solo");
        assertThatThrownBy(() -> new ChatService.Client(new TBinaryProtocol(transport("chat", unpaired.getToken())))
                .fetchHistory(new FetchHistoryRequest(0, 10)))
                .isInstanceOfSatisfying(DuetError.class, e -> assertThat(e.getCode()).isEqualTo(ErrorCode.NOT_PAIRED));
    }

    @Test
    void forgedBearerTokenGets401() {
        assertThatThrownBy(() -> new PairingService.Client(new TBinaryProtocol(transport("pairing", "v1.abc.def.ghi")))
                .createInvite(new CreateInviteRequest()))
                .isInstanceOf(TTransportException.class).hasMessageContaining("401");
    }

    private static HttpResponse<String> raw(HttpRequest.Builder request) throws Exception {
        return RAW.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requestsThatAreNotThriftCallsGetClearStatuses() throws Exception {
        assertThat(raw(HttpRequest.newBuilder(base.resolve("/health")).GET()).statusCode()).isEqualTo(200);
        assertThat(raw(HttpRequest.newBuilder(base.resolve("/nowhere")).GET()).statusCode()).isEqualTo(404);
        HttpResponse<String> get = raw(HttpRequest.newBuilder(base.resolve("/api/v1/account")).GET());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).hasValue("POST");
        assertThat(raw(HttpRequest.newBuilder(base.resolve("/api/v1/account")).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hi"))).statusCode()).isEqualTo(415);
        HttpResponse<String> garbage = raw(HttpRequest.newBuilder(base.resolve("/api/v1/account"))
                .header("Content-Type", "application/vnd.apache.thrift.compact")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {0x13, 0x37, 0x00})));
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("unreadable Thrift message");
        HttpResponse<String> tooBig = raw(HttpRequest.newBuilder(base.resolve("/api/v1/account"))
                .header("Content-Type", "application/x-thrift")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[300 * 1024])));
        assertThat(tooBig.statusCode()).isEqualTo(413);
        HttpResponse<String> unknownService = raw(HttpRequest.newBuilder(base.resolve("/api/v1/nosuch"))
                .header("Content-Type", "application/x-thrift")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new TBinaryProtocolCall().bytes())));
        assertThat(unknownService.statusCode()).as("a Thrift EXCEPTION reply").isEqualTo(200);
    }

    /** A binary-protocol call of a method that exists nowhere. */
    private static final class TBinaryProtocolCall {
        byte[] bytes() throws Exception {
            org.apache.thrift.transport.TMemoryBuffer buffer = new org.apache.thrift.transport.TMemoryBuffer(64);
            TBinaryProtocol protocol = new TBinaryProtocol(buffer);
            protocol.writeMessageBegin(new org.apache.thrift.protocol.TMessage("nothing",
                    org.apache.thrift.protocol.TMessageType.CALL, 1));
            protocol.writeStructBegin(new org.apache.thrift.protocol.TStruct("args"));
            protocol.writeFieldStop();
            protocol.writeStructEnd();
            protocol.writeMessageEnd();
            return java.util.Arrays.copyOf(buffer.getArray(), buffer.length());
        }
    }
}
