package io.duet.presentation.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.net.AddressRanges;
import io.duet.settings.Settings;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionLimiterTest {
    /** An accepted connection from {@code host}. */
    private static final class Accepted extends EmbeddedChannel {
        private final InetSocketAddress remote;

        Accepted(String host) {
            this.remote = new InetSocketAddress(host, 40000);
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return remote;
        }
    }

    private final List<Accepted> accepted = new ArrayList<>();

    /** Offers a connection from {@code host} to the listener; true if passed on. */
    private boolean accept(EmbeddedChannel listener, String host) {
        Accepted child = new Accepted(host);
        accepted.add(child);
        listener.writeInbound(child);
        Object passed = listener.readInbound();
        assertThat(passed == null ? !child.isOpen() : child.isOpen()).as("refused ones are closed, others not").isTrue();
        return passed == child;
    }

    @Test
    void capsConnectionsPerAddressAndFreesThemOnClose() {
        ConnectionLimiter limiter = new ConnectionLimiter(ConnectionLimits.builder(100_000).maxPerAddress(2).build());
        EmbeddedChannel listener = new EmbeddedChannel(limiter);
        assertThat(accept(listener, "192.0.2.1")).isTrue();
        assertThat(accept(listener, "192.0.2.1")).isTrue();
        assertThat(accept(listener, "192.0.2.1")).isFalse();
        assertThat(accept(listener, "192.0.2.2")).isTrue();
        assertThat(limiter.refusedAtAddressCap()).isEqualTo(1);
        assertThat(limiter.openConnections()).isEqualTo(3);

        accepted.get(0).close();
        assertThat(limiter.openConnections()).isEqualTo(2);
        assertThat(accept(listener, "192.0.2.1")).isTrue();
        accepted.forEach(Channel::close);
        assertThat(limiter.openConnections()).isZero();
        assertThat(limiter.trackedAddresses()).isZero();
    }

    @Test
    void capsConnectionsInAllAndExistingOnesStay() {
        ConnectionLimiter limiter = new ConnectionLimiter(ConnectionLimits.builder(0).maxConnections(3)
                .maxPerAddress(100).build());
        EmbeddedChannel tcp = new EmbeddedChannel(limiter);
        EmbeddedChannel http = new EmbeddedChannel(limiter);
        assertThat(accept(tcp, "192.0.2.1")).isTrue();
        assertThat(accept(http, "192.0.2.2")).isTrue();
        assertThat(accept(tcp, "192.0.2.3")).isTrue();
        assertThat(accept(http, "192.0.2.4")).isFalse();
        assertThat(accept(tcp, "192.0.2.5")).isFalse();
        assertThat(limiter.refusedAtGlobalCap()).isEqualTo(2);
        assertThat(accepted.subList(0, 3)).allMatch(Channel::isOpen);

        accepted.get(1).close();
        assertThat(accept(tcp, "192.0.2.4")).isTrue();
        // A refused connection from an address does not count against it.
        assertThat(limiter.trackedAddresses()).isEqualTo(3);
    }

    @Test
    void exemptAddressesCountOnlyTowardsTheGlobalCap() {
        ConnectionLimiter limiter = new ConnectionLimiter(ConnectionLimits.builder(0).maxConnections(5)
                .maxPerAddress(1).exemptAddresses(AddressRanges.parse(List.of("127.0.0.0/8"))).build());
        EmbeddedChannel listener = new EmbeddedChannel(limiter);
        for (int i = 0; i < 5; i++) {
            assertThat(accept(listener, "127.0.0." + (1 + i % 2))).isTrue();
        }
        assertThat(accept(listener, "127.0.0.1")).isFalse();
        assertThat(limiter.trackedAddresses()).isZero();
    }

    @Test
    void trustedProxiesAndExemptRangesFromSettingsAreExempt() {
        ConnectionLimits limits = ConnectionLimits.from(Settings.of(Map.of("limits.connections.per-address", "1",
                "limits.exempt-addresses", "10.1.0.0/16", "http.trusted-proxies", "10.2.0.0/24, 10.3.0.9")));
        EmbeddedChannel listener = new EmbeddedChannel(new ConnectionLimiter(limits));
        for (String host : List.of("10.1.200.7", "10.2.0.255", "10.3.0.9")) {
            assertThat(accept(listener, host)).isTrue();
            assertThat(accept(listener, host)).as(host).isTrue();
        }
        assertThat(accept(listener, "10.2.1.1")).isTrue();
        assertThat(accept(listener, "10.2.1.1")).isFalse();
    }

    @Test
    void theGlobalCapIsBelowTheFileLimitWithHeadroom() {
        assertThat(ConnectionLimits.defaultMaxConnections(1024)).isEqualTo(1024 * 80 / 100 - 128);
        assertThat(ConnectionLimits.defaultMaxConnections(1_048_576)).isEqualTo(838_732);
        assertThat(ConnectionLimits.defaultMaxConnections(100)).isEqualTo(1);
        assertThat(ConnectionLimits.defaultMaxConnections(0))
                .isEqualTo(ConnectionLimits.DEFAULT_MAX_CONNECTIONS_UNKNOWN_FD_LIMIT);
        assertThat(ConnectionLimits.processFileLimit()).isPositive();
    }
}
