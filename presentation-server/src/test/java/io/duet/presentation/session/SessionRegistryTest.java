package io.duet.presentation.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.presentation.auth.Authenticator;
import io.duet.presentation.auth.Revocations;
import io.duet.protocol.api.AuthRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.Revocation;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A drain asks every session to move, whenever it registered: before, after, or while the drain starts;
 * and is over once no session is left nor any connection still authenticating.
 */
class SessionRegistryTest {
    private static final Duration DEADLINE = Duration.ofSeconds(5);
    private final SessionRegistry registry = new SessionRegistry(new Revocations(Clock.systemUTC()));
    private final AtomicLong users = new AtomicLong();
    private final ExecutorService threads = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Records what it was asked. */
    static final class FakeSession implements RegisteredSession {
        final List<Duration[]> drains = new CopyOnWriteArrayList<>();

        @Override
        public void drain(Duration after, Duration within, Duration closeAfter) {
            drains.add(new Duration[] {after, within, closeAfter});
        }

        final List<byte[]> events = new CopyOnWriteArrayList<>();

        @Override
        public void pushEvent(byte[] event) {
            events.add(event);
        }

        @Override
        public void revokeIf(Revocation revocation) {
        }

        @Override
        public void routesChanged() {
        }
    }

    /** 100 ms apart, each told to spread its reconnect over 50 ms; {@code during} runs whenever a spread is asked. */
    private static ReconnectSchedule schedule(Runnable during) {
        return new ReconnectSchedule() {
            @Override
            public Duration delay(int index, int count) {
                return Duration.ofMillis(100L * index);
            }

            @Override
            public Duration reconnectWithin(int count) {
                during.run();
                return Duration.ofMillis(50);
            }
        };
    }

    private FakeSession register() {
        FakeSession session = new FakeSession();
        registry.register(users.incrementAndGet(), session);
        return session;
    }

    private static void assertAskedToMoveBeforeTheDeadline(FakeSession session, String which) {
        assertThat(session.drains).as("%s asked to move", which).isNotEmpty();
        for (Duration[] asked : session.drains) {
            assertThat(asked[0]).as("%s: notice delay", which).isLessThanOrEqualTo(DEADLINE);
            assertThat(asked[2]).as("%s: closed at the deadline", which).isPositive().isLessThanOrEqualTo(DEADLINE);
        }
    }

    @Test
    void sessionsPresentAreSpreadAndSessionsThatComeLaterMoveAtOnce() {
        FakeSession first = register();
        FakeSession second = register();
        assertThat(registry.drain(schedule(() -> { }), DEADLINE)).isEqualTo(2);
        FakeSession late = register();

        List<Duration> delays = new ArrayList<>();
        for (FakeSession session : List.of(first, second)) {
            assertThat(session.drains).hasSize(1);
            delays.add(session.drains.get(0)[0]);
            assertThat(session.drains.get(0)[1]).isEqualTo(Duration.ofMillis(50));
        }
        assertThat(delays).containsExactlyInAnyOrder(Duration.ZERO, Duration.ofMillis(100));
        assertThat(late.drains).hasSize(1);
        assertThat(late.drains.get(0)[0]).as("at once").isEqualTo(Duration.ZERO);
        assertAskedToMoveBeforeTheDeadline(late, "late");
    }

    /**
     * The flake DrainIT (now part of RollingDeployIT) saw once (a client told nothing for 20 s): a session that registered after the
     * drain listed the sessions but before it raised its flag was neither asked to move nor closed at the
     * deadline. Here a session registers each time the drain asks its schedule for the spread, which it
     * does both before and after listing the sessions.
     */
    @Test
    void aSessionThatRegistersWhileTheDrainListsTheSessionsIsAskedToMove() {
        register();
        List<FakeSession> during = new ArrayList<>();
        registry.drain(schedule(() -> during.add(register())), DEADLINE);

        assertThat(during).isNotEmpty();
        for (FakeSession session : during) {
            assertAskedToMoveBeforeTheDeadline(session, "registered during the drain's start");
        }
    }

    @Test
    void sessionsRegisteringOnOtherThreadsAsTheDrainStartsAreAllAskedToMove() throws Exception {
        for (int round = 0; round < 200; round++) {
            SessionRegistry fresh = new SessionRegistry(new Revocations(Clock.systemUTC()));
            List<FakeSession> sessions = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            Future<?> registering = threads.submit(() -> {
                go.await();
                for (int i = 0; i < 50; i++) {
                    FakeSession session = new FakeSession();
                    sessions.add(session);
                    fresh.register(users.incrementAndGet(), session);
                }
                return null;
            });
            Future<?> draining = threads.submit(() -> {
                go.await();
                return fresh.drain(schedule(() -> { }), DEADLINE);
            });
            go.countDown();
            registering.get(10, TimeUnit.SECONDS);
            draining.get(10, TimeUnit.SECONDS);
            for (FakeSession session : sessions) {
                assertAskedToMoveBeforeTheDeadline(session, "round " + round);
            }
        }
    }

    @Test
    void aUserWithSeveralSessionsGetsEachEventOnEveryOneUntilItLeaves() {
        FakeSession phone = new FakeSession();
        FakeSession tablet = new FakeSession();
        FakeSession other = new FakeSession();
        registry.register(1, phone);
        registry.register(1, tablet);
        registry.register(1, tablet);
        registry.register(2, other);
        assertThat(registry.size()).as("a session registered twice counts once").isEqualTo(3);

        registry.deliver(List.of(1L), new byte[] {1});
        registry.unregister(1, phone);
        registry.unregister(1, phone);
        registry.deliver(List.of(1L, 2L), new byte[] {2});
        registry.unregister(1, tablet);
        registry.deliver(List.of(1L, 2L), new byte[] {3});

        assertThat(phone.events).extracting(event -> event[0]).containsExactly((byte) 1);
        assertThat(tablet.events).extracting(event -> event[0]).containsExactly((byte) 1, (byte) 2);
        assertThat(other.events).extracting(event -> event[0]).containsExactly((byte) 2, (byte) 3);
        assertThat(registry.size()).isEqualTo(1);
        registry.unregister(2, other);
        assertThat(registry.size()).isZero();
    }

    @Test
    void whenEmptyCompletesOnceTheDrainHasBegunAndTheLastSessionLeft() {
        FakeSession session = register();
        long user = users.get();
        assertThat(registry.whenEmpty()).isNotDone();
        registry.drain(schedule(() -> { }), DEADLINE);
        assertThat(registry.whenEmpty()).isNotDone();
        registry.unregister(user, session);
        assertThat(registry.whenEmpty()).isDone();
        assertThat(registry.size()).isZero();
    }

    /**
     * A connection still authenticating when the drain starts may yet become a session: the drain is not
     * over until each has registered its session (asked to move at once) or closed, and that session left.
     */
    @Test
    void theDrainWaitsForConnectionsStillAuthenticating() throws Exception {
        TokenCodec tokens = TokenCodec.create("a-test-secret-that-is-at-least-32-bytes-long", List.of(), Clock.systemUTC());
        Authenticator authenticator = new Authenticator(tokens, new Revocations(Clock.systemUTC()));
        FakeSession session = new FakeSession();
        Function<Principal, ChannelHandler> sessions = principal -> new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                registry.register(principal.getUserId(), session);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                registry.unregister(principal.getUserId(), session);
            }
        };
        EmbeddedChannel timesOut = new EmbeddedChannel(new AuthHandler(authenticator, sessions, registry,
                SessionSettings.defaults(), null, null));
        EmbeddedChannel authenticates = new EmbeddedChannel(new AuthHandler(authenticator, sessions, registry,
                SessionSettings.defaults(), null, null));

        registry.drain(schedule(() -> { }), DEADLINE);
        assertThat(registry.whenEmpty()).as("two connections still authenticating").isNotDone();
        timesOut.close(); // as at its auth timeout
        assertThat(registry.whenEmpty()).as("one still authenticating").isNotDone();

        long now = System.currentTimeMillis();
        String token = tokens.issue(new TokenClaims(7, 42, "phone", now, now + 60_000));
        authenticates.writeInbound(Frame.of(FrameType.AUTH,
                ThriftCodec.INTERNAL.encode(new AuthRequest(token, commonConstants.API_VERSION))));
        assertThat(authenticates.pipeline().get(AuthHandler.class)).as("authenticated").isNull();
        assertThat(session.drains).as("its session asked to move at once").hasSize(1);
        assertThat(registry.whenEmpty()).as("its session is there").isNotDone();

        authenticates.close();
        assertThat(registry.whenEmpty()).as("every connection gone").isDone();
    }
}
