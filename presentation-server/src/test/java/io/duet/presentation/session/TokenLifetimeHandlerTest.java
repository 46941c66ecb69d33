package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.SessionError;
import io.duet.protocol.api.SessionErrorCode;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.token.TokenClaims;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class TokenLifetimeHandlerTest {
    private static TokenClaims claims(long expiresInMillis) {
        long now = System.currentTimeMillis();
        return new TokenClaims(7, 42, "phone", now, now + expiresInMillis).setSessionId("s1");
    }

    private static SessionErrorCode closedWith(EmbeddedChannel channel) throws Exception {
        Frame frame = channel.readOutbound();
        assertThat(frame.type()).isEqualTo(FrameType.ERROR);
        assertThat(channel.isOpen()).isFalse();
        return ThriftCodec.INTERNAL.decode(frame.payload(), new SessionError()).getCode();
    }

    @Test
    void theSessionEndsWhenItsTokenExpires() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel(new TokenLifetimeHandler(claims(100), Clock.systemUTC()));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        Thread.sleep(150);
        channel.runScheduledPendingTasks();
        assertThat(closedWith(channel)).isEqualTo(SessionErrorCode.TOKEN_EXPIRED);
    }

    @Test
    void aMatchingRevocationEndsTheSessionAndOthersDoNot() throws Exception {
        TokenLifetimeHandler handler = new TokenLifetimeHandler(claims(60_000), Clock.systemUTC());
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        handler.revokeIf(new Revocation().setUserId(7).setSessionId("other").setRevokedAtMillis(0));
        handler.revokeIf(new Revocation().setUserId(8).setRevokedAtMillis(System.currentTimeMillis()));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        handler.revokeIf(new Revocation().setUserId(7).setSessionId("s1").setRevokedAtMillis(0));
        channel.runPendingTasks();
        assertThat(closedWith(channel)).isEqualTo(SessionErrorCode.TOKEN_REVOKED);
    }
}
