package io.duet.presentation.relay;

import io.duet.process.metrics.FanOutLag;
import io.duet.process.metrics.Latency;
import io.duet.protocol.thrift.ClientApi;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftMessages;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the relay links measure, shared by all of them; in Prometheus form:
 *
 * <pre>
 * duet_relay_call_seconds{service,method}  timer  from a client's call leaving for its application server to its
 *                                                 reply coming back: the relay round trip, by API method
 * duet_relay_streams_open                  gauge  streams (sessions, HTTP requests) open on the relay links now
 * duet_event_fanout_lag_seconds{stage="relay-to-client"}
 *                                          timer  from an event read off a relay link to its write to the client's
 *                                                 socket completing ({@link FanOutLag}; timed by the sessions)
 * </pre>
 *
 * Method names come from clients, so only the API's own (of every service of {@link ClientApi}, the list both
 * tiers share) are tags; anything else is counted as {@code service="unknown"}. Timers are made once, here.
 */
public final class RelayCallMeters {
    public static final String CALLS = "duet.relay.call";
    public static final String STREAMS_OPEN = "duet.relay.streams.open";
    /** Measures nothing: for links made without a registry (tests). */
    public static final RelayCallMeters NONE = new RelayCallMeters(new CompositeMeterRegistry());

    /**
     * By the name a call carries: {@code "chat:sendMessage"} or its method id ({@link MethodIds}) on TCP sessions,
     * {@code "sendMessage"} over HTTP.
     */
    private final Map<String, Timer> byWireName = new HashMap<>();
    private final Timer unknown;
    final AtomicInteger openStreams = new AtomicInteger();
    final Timer fanOutLag;

    public RelayCallMeters(MeterRegistry registry) {
        Map<String, Integer> servicesOfMethod = new HashMap<>();
        ClientApi.SERVICES.forEach(service -> service.methods().forEach(m -> servicesOfMethod.merge(m, 1, Integer::sum)));
        for (ClientApi.Service<?> service : ClientApi.SERVICES) {
            for (String method : service.methods()) {
                Timer timer = timer(registry, service.name(), method);
                byWireName.put(service.name() + ThriftMessages.SERVICE_SEPARATOR + method, timer);
                if (servicesOfMethod.get(method) == 1) {
                    byWireName.put(method, timer);
                }
            }
        }
        MethodIds.all().forEach((id, fullName) -> byWireName.put(id, byWireName.get(fullName)));
        unknown = timer(registry, "unknown", "unknown");
        fanOutLag = FanOutLag.timer(registry, FanOutLag.RELAY_TO_CLIENT);
        Gauge.builder(STREAMS_OPEN, openStreams, AtomicInteger::get)
                .description("Streams open on the relay links to application servers")
                .register(registry);
    }

    private static Timer timer(MeterRegistry registry, String service, String method) {
        return Latency.timer(CALLS)
                .description("Relay round trip of client calls: to the application server and back")
                .tags("service", service, "method", method)
                .register(registry);
    }

    /** The timer of calls named {@code wireName}; never null. */
    Timer timerOf(String wireName) {
        Timer timer = wireName == null ? null : byWireName.get(wireName);
        return timer == null ? unknown : timer;
    }
}
