package io.duet.presentation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.security.RelayTls;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AppLinks#whyNotRelaying}, against stand-in application servers on 127.0.0.1 (plain TCP): one that
 * answers HELLO with HELLO_ACK, one that accepts and never answers (as a TLS or version mismatch looks).
 */
class AppLinksReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AppLinks links = new AppLinks(group, "presentation-test", RelayStandIn.NO_USER_EVENTS,
            RelayTls.disabled());

    @AfterEach
    void close() {
        links.close();
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void relaysOnceAServerOfTheShardMapAnswersHello() throws Exception {
        AppServerInfo answering = server("app-1", standIn(true));
        AppServerInfo silent = server("app-2", standIn(false));
        assertThat(links.whyNotRelaying(Set.of("app-1"))).as("no link yet").isPresent();
        links.serversChanged(Map.of("app-1", answering, "app-2", silent));
        await(() -> links.whyNotRelaying(Set.of("app-1")), true);
        Thread.sleep(500);
        assertThat(links.whyNotRelaying(Set.of("app-2"))).as("only the silent server in the map")
                .hasValueSatisfying(reason -> assertThat(reason).contains("yet"));
        assertThat(links.whyNotRelaying(Set.of())).as("an empty map").isPresent();

        accepted.close().awaitUninterruptibly();
        await(() -> links.openLinks() < 4 ? Optional.empty() : Optional.of("links open"), true);
        assertThat(links.whyNotRelaying(Set.of("app-1"))).as("within the grace after the last link was lost")
                .isEmpty();
    }

    private static void await(Supplier<Optional<String>> whyNot, boolean ready) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (whyNot.get().isEmpty() != ready) {
            assertThat(System.nanoTime()).as("%s within %s", ready ? "ready" : "not ready", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** A relay port that answers HELLO with HELLO_ACK, or never says anything; returns its port. */
    private int standIn(boolean answers) throws InterruptedException {
        Channel listener = RelayStandIn.listen(group, accepted, 0, answers, frame -> { });
        accepted.add(listener);
        return RelayStandIn.port(listener);
    }

    private static AppServerInfo server(String id, int port) {
        return new AppServerInfo().setServerId(id).setRelayEndpoint(new Endpoint("127.0.0.1", port));
    }
}
