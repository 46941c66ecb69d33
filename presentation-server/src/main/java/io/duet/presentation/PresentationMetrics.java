package io.duet.presentation;

import io.duet.presentation.limits.ConnectionLimiter;
import io.duet.presentation.relay.AppLinks;
import io.duet.presentation.session.SessionRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntSupplier;

/**
 * The presentation server's own meters, read from what it keeps anyway. Names are stable (dashboards
 * and alerts use them); in Prometheus form:
 *
 * <pre>
 * duet_client_sessions    gauge  authenticated client TCP sessions connected now
 * duet_relay_links_open   gauge  relay links to application servers connected or connecting now
 * duet_weight_percent     gauge  the weight the agent check publishes while not draining (10..100 by default)
 * duet_client_connections gauge  client connections (TCP and HTTP) open now
 * duet_client_connections_refused_total{cap}  counter  connections closed at once, at the "global" or "per-address" cap
 * </pre>
 *
 * The relay round trip of calls, by method, the relay streams open and the event fan-out lag are
 * measured by the relay links and their sessions ({@link io.duet.presentation.relay.RelayCallMeters}).
 */
final class PresentationMetrics {
    static final String CLIENT_SESSIONS = "duet.client.sessions";
    static final String RELAY_LINKS_OPEN = "duet.relay.links.open";
    static final String WEIGHT_PERCENT = "duet.weight.percent";
    static final String CLIENT_CONNECTIONS = "duet.client.connections";
    static final String CONNECTIONS_REFUSED = "duet.client.connections.refused";

    private PresentationMetrics() {
    }

    static void bind(MeterRegistry registry, SessionRegistry sessions, AppLinks links, IntSupplier weightPercent) {
        Gauge.builder(CLIENT_SESSIONS, sessions, SessionRegistry::size)
                .description("Authenticated client sessions connected to this server")
                .register(registry);
        Gauge.builder(RELAY_LINKS_OPEN, links, AppLinks::openLinks)
                .description("Relay links to application servers, connected or connecting")
                .register(registry);
        Gauge.builder(WEIGHT_PERCENT, weightPercent, IntSupplier::getAsInt)
                .description("Room for new connections from sessions and CPU load, as the agent check publishes it")
                .strongReference(true) // a method reference held only weakly is collected, and the gauge reads NaN
                .register(registry);
    }

    static void bindConnections(MeterRegistry registry, ConnectionLimiter limiter) {
        Gauge.builder(CLIENT_CONNECTIONS, limiter, ConnectionLimiter::openConnections)
                .description("Client connections (TCP and HTTP) open now")
                .register(registry);
        FunctionCounter.builder(CONNECTIONS_REFUSED, limiter, ConnectionLimiter::refusedAtGlobalCap)
                .description("Client connections closed at once because the server was at its cap")
                .tag("cap", "global")
                .register(registry);
        FunctionCounter.builder(CONNECTIONS_REFUSED, limiter, ConnectionLimiter::refusedAtAddressCap)
                .description("Client connections closed at once because the server was at its cap")
                .tag("cap", "per-address")
                .register(registry);
    }
}
