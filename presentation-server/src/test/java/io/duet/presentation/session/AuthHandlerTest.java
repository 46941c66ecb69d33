package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.presentation.routing.RoutingTable;
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.LogInRequest;
import io.duet.protocol.cluster.ShardMapWatcher;
import io.duet.protocol.api.AuthAccepted;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AuthHandlerTest {
    private static final CuratorFramework NEVER_STARTED =
            CuratorFrameworkFactory.newClient("127.0.0.1:1", new RetryOneTime(1));
    private static final RoutingTable NO_SHARD_MAP = new RoutingTable(new ShardMapWatcher(NEVER_STARTED));
    private static final String SECRET = "a-test-secret-that-is-at-least-32-bytes-long";
    private final TokenCodec tokens = TokenCodec.create(SECRET, List.of(), Clock.systemUTC());
    private final AtomicReference<Principal> authenticated = new AtomicReference<>();
    private final Revocations revocations = new Revocations(Clock.systemUTC());
    private final EmbeddedChannel channel = new EmbeddedChannel(new AuthHandler(new Authenticator(tokens, revocations),
            principal -> {
                authenticated.set(principal);
                return new ChannelInboundHandlerAdapter();
            }, new SessionRegistry(revocations), SessionSettings.defaults(), NO_SHARD_MAP, null),
            new ClientErrorHandler());

    @AfterAll
    static void closeCurator() {
        NEVER_STARTED.close();
    }

    /** An account call as a TCP client sends it before AUTH: the compact protocol, named with its service. */
    private static Frame call(String name) {
        return Frame.of(FrameType.CALL, ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, name, 1,
                new AccountService.logIn_args(new LogInRequest("ann@example.com", "secret", "phone")), false));
    }

    @Test
    void anAccountCallThatMakesATokenMayComeBeforeAuth() throws Exception {
        for (String name : List.of("account:logIn", "logIn", "account:signUp", "account:refreshSession")) {
            assertThat(AccountCallsBeforeAuth.refusal(call(name).payload(), 0)).as(name).isNull();
        }
        assertThat(AccountCallsBeforeAuth.refusal(call("account:logIn").payload(),
                AccountCallsBeforeAuth.MAX_CALLS)).contains("at most");
        // Relayed as an anonymous request; with no shard map there is no server to take it.
        channel.writeInbound(call("account:logIn"));
        SessionError error = errorSent();
        assertThat(error.getCode()).isEqualTo(SessionErrorCode.UNAVAILABLE);
    }

    @Test
    void anyOtherCallBeforeAuthIsRefused() throws Exception {
        for (String name : List.of("account:logOut", "account:deleteAccount", "chat:sendMessage", "pairing:logIn",
                "subscribe")) {
            assertThat(AccountCallsBeforeAuth.refusal(call(name).payload(), 0)).as(name).contains("must be AUTH");
        }
        channel.writeInbound(call("chat:sendMessage"));
        SessionError error = errorSent();
        assertThat(error.getCode()).isEqualTo(SessionErrorCode.NOT_AUTHENTICATED);
        assertThat(error.getMessage()).contains("signUp, logIn and refreshSession");
    }

    private static Frame auth(String token, int version) {
        return Frame.of(FrameType.AUTH, ThriftCodec.INTERNAL.encode(new AuthRequest(token, version)));
    }

    private String token(long coupleId, long expiresInMillis) {
        long now = System.currentTimeMillis();
        return tokens.issue(new TokenClaims(7, coupleId, "phone", now, now + expiresInMillis));
    }

    private SessionError errorSent() throws Exception {
        Frame frame = channel.readOutbound();
        assertThat(frame.type()).isEqualTo(FrameType.ERROR);
        assertThat(channel.isOpen()).as("closed after the error").isFalse();
        return ThriftCodec.INTERNAL.decode(frame.payload(), new SessionError());
    }

    @Test
    void validTokenIsAnsweredWithAuthOkAndTheSessionTakesOver() throws Exception {
        channel.writeInbound(auth(token(42, 60_000), commonConstants.API_VERSION));
        Frame frame = channel.readOutbound();
        assertThat(frame.type()).isEqualTo(FrameType.AUTH_OK);
        AuthAccepted accepted = ThriftCodec.INTERNAL.decode(frame.payload(), new AuthAccepted());
        assertThat(accepted.getUserId()).isEqualTo(7);
        assertThat(accepted.getCoupleId()).isEqualTo(42);
        assertThat(accepted.getDeviceId()).as("the client's own messages carry it").isEqualTo("phone");
        assertThat(authenticated.get().getDeviceId()).isEqualTo("phone");
        assertThat(channel.pipeline().get(AuthHandler.class)).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aTokenIssuedBeforePairingCarriesNoCouple() throws Exception {
        channel.writeInbound(auth(token(0, 60_000), commonConstants.API_VERSION));
        Frame frame = channel.readOutbound();
        assertThat(ThriftCodec.INTERNAL.decode(frame.payload(), new AuthAccepted()).isSetCoupleId()).isFalse();
        assertThat(authenticated.get().getCoupleId()).isZero();
    }

    @Test
    void anyOtherFirstFrameIsRefused() throws Exception {
        channel.writeInbound(Frame.of(FrameType.CALL, new byte[] {1}));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.NOT_AUTHENTICATED);
    }

    @Test
    void revokedTokenIsRefusedAsRevoked() throws Exception {
        long now = System.currentTimeMillis();
        revocations.add(new Revocation().setUserId(7).setRevokedAtMillis(now).setForgetAfterMillis(now + 60_000));
        channel.writeInbound(auth(tokens.issue(new TokenClaims(7, 42, "phone", now - 1, now + 60_000)),
                commonConstants.API_VERSION));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.TOKEN_REVOKED);
    }

    @Test
    void expiredTokenIsRefusedAsExpired() throws Exception {
        channel.writeInbound(auth(token(42, -1), commonConstants.API_VERSION));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void tokenFromAnotherClusterIsRefusedAsInvalid() throws Exception {
        String foreign = TokenCodec.create("another-secret-that-is-at-least-32-bytes", List.of(), Clock.systemUTC())
                .issue(new TokenClaims(7, 42, "phone", 0, System.currentTimeMillis() + 60_000));
        channel.writeInbound(auth(foreign, commonConstants.API_VERSION));
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.TOKEN_INVALID);
    }

    @Test
    void unknownApiVersionIsRefused() throws Exception {
        channel.writeInbound(auth(token(42, 60_000), 99));
        SessionError error = errorSent();
        assertThat(error.getCode()).isEqualTo(SessionErrorCode.UNSUPPORTED_VERSION);
        assertThat(error.getMessage()).contains("99");
    }

    @Test
    void silenceIsRefusedAfterTheAuthTimeout() throws Exception {
        Duration timeout = SessionSettings.defaults().authTimeout();
        channel.freezeTime();
        channel.advanceTimeBy(timeout.toMillis() - 500, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        channel.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(errorSent().getCode()).isEqualTo(SessionErrorCode.AUTH_TIMEOUT);
    }
}
