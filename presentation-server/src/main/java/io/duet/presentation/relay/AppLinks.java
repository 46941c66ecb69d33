package io.duet.presentation.relay;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.RefusalReports;
import io.duet.security.RelayTls;
import io.micrometer.core.instrument.Timer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The relay links of this presentation server: for every live application server, one connection per
 * event loop. A client channel always uses the link on its own loop, so relaying never hops threads.
 * Links are opened as soon as a server appears in the shard map and retired when it leaves (closed once
 * the calls in flight on them are answered, {@link RelayLink#retire()}). With
 * {@link RelayTls} enabled every link is mutual TLS.
 *
 * <p>Crash evidence: a connect refused by a server's advertised relay endpoint is reported to ZooKeeper
 * ({@link RefusalReports}), and withdrawn when a link to it is up again or it leaves. A link that was up
 * and drops is reconnected at once, once, so that a killed server's refusal is seen within milliseconds
 * even on a loop no session is waiting on.
 */
public final class AppLinks implements AutoCloseable {
    private final EventLoopGroup group;
    private final String presentationId;
    private final UserEvents userEvents;
    private final Bootstrap template;
    private final RelayTls tls;
    private final RelayCallMeters meters;
    private final RelayHealth health;
    private final RefusalReports reports;
    private final LinkEvents events = new Events();
    private final ConcurrentMap<String, ConcurrentMap<EventLoop, RelayLink>> links = new ConcurrentHashMap<>();

    public AppLinks(EventLoopGroup group, String presentationId, UserEvents userEvents, RelayTls tls) {
        this(group, presentationId, userEvents, tls, RelayCallMeters.NONE, new RelayHealth(), null);
    }

    /**
     * @param meters what the links measure of their calls and streams
     * @param health told when a link that was up closes
     * @param reports where refused connects are reported; null: nowhere
     */
    public AppLinks(EventLoopGroup group, String presentationId, UserEvents userEvents, RelayTls tls,
            RelayCallMeters meters, RelayHealth health, RefusalReports reports) {
        this.group = group;
        this.reports = reports;
        this.meters = meters;
        this.health = health;
        this.presentationId = presentationId;
        this.userEvents = userEvents;
        this.tls = tls;
        this.template = new Bootstrap()
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000);
    }

    /**
     * The timer of the events the links bring, from their read off a link to their write to the client
     * (the fan-out lag's stage relay-to-client); the sessions that write them record it.
     */
    public Timer fanOutLag() {
        return meters.fanOutLag;
    }

    /**
     * The link to {@code server} on {@code loop}, connecting (again) if there is none, it died, or the
     * server moved. Call on {@code loop}.
     */
    public RelayLink linkFor(AppServerInfo server, EventLoop loop) {
        ConcurrentMap<EventLoop, RelayLink> perLoop = links.computeIfAbsent(server.getServerId(),
                id -> new ConcurrentHashMap<>());
        RelayLink link = perLoop.get(loop);
        if (link == null || link.isClosed() || !link.server().getRelayEndpoint().equals(server.getRelayEndpoint())) {
            if (link != null) {
                link.retire(); // its id at a new endpoint: the calls in flight on the old one may still be answered
            }
            link = RelayLink.connect(template, tls, server, loop, presentationId, userEvents, meters, health, events);
            perLoop.put(loop, link);
        }
        return link;
    }

    /** Connects to servers that joined and retires links to servers that left. */
    public void serversChanged(Map<String, AppServerInfo> live) {
        for (AppServerInfo server : live.values()) {
            for (EventExecutor executor : group) {
                EventLoop loop = (EventLoop) executor;
                loop.execute(() -> linkFor(server, loop));
            }
        }
        if (reports != null) {
            reports.retain(live.keySet());
        }
        for (String id : links.keySet()) {
            if (!live.containsKey(id)) {
                ConcurrentMap<EventLoop, RelayLink> gone = links.remove(id);
                if (gone != null) {
                    gone.forEach((loop, link) -> loop.execute(link::retire));
                }
            }
        }
    }

    /**
     * Why this server cannot relay to the servers of the shard map ({@code shardMapServers}, their ids):
     * empty while a link to one of them is up, or lost less than {@link RelayHealth}'s grace ago. Reads
     * volatile state only; any thread.
     */
    public Optional<String> whyNotRelaying(Collection<String> shardMapServers) {
        boolean anyUp = shardMapServers.stream().map(links::get).filter(Objects::nonNull)
                .anyMatch(perLoop -> perLoop.values().stream().anyMatch(RelayLink::isUp));
        return health.whyNot(anyUp);
    }

    /** How many links are connected or connecting. */
    public int openLinks() {
        return links.values().stream().mapToInt(perLoop -> (int) perLoop.values().stream()
                .filter(link -> !link.isClosed()).count()).sum();
    }

    @Override
    public void close() {
        links.forEach((id, perLoop) -> perLoop.forEach((loop, link) -> loop.execute(link::close)));
        links.clear();
    }

    /** Reports refusals, withdraws them when a link is up, and reconnects a dropped link once. */
    private final class Events implements LinkEvents {
        @Override
        public void refused(AppServerInfo server) {
            if (reports != null && links.containsKey(server.getServerId())) {
                reports.refused(server.getServerId());
            }
        }

        @Override
        public void up(AppServerInfo server) {
            if (reports != null) {
                reports.reachable(server.getServerId());
            }
        }

        @Override
        public void lost(AppServerInfo server, EventLoop loop) {
            ConcurrentMap<EventLoop, RelayLink> perLoop = links.get(server.getServerId());
            RelayLink current = perLoop == null ? null : perLoop.get(loop);
            if (current != null && current.isClosed()) {
                linkFor(server, loop);
            }
        }
    }
}
