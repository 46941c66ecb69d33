package io.duet.app.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.rpc.Caller;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.cluster.ShardMapView;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a closed stream tells the presentation server about where the session should go next. */
class RoutingHintTest {
    private static final AppServerInfo SELF = server("app-1", 7001);
    private static final AppServerInfo OTHER = server("app-2", 7002);
    /** Two shards: shard 0 stays with app-1, shard 1 moved to app-2, by the map of epoch 7. */
    private static final ShardMapView MAP = map();

    private static AppServerInfo server(String id, int port) {
        return new AppServerInfo(id, new Endpoint("127.0.0.1", port), 1);
    }

    private static ShardMapView map() {
        try {
            return ShardMapView.of(new ShardMap(7, 2, List.of(new ShardAssignment("app-1", 3), new ShardAssignment("app-2", 7)),
                    Map.of("app-1", SELF, "app-2", OTHER), 0, "app-1"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long coupleOnShard(int shard) {
        for (long id = 1; ; id++) {
            if (MAP.shardOf(id) == shard) {
                return id;
            }
        }
    }

    private static CloseStream hint(CloseReason reason, Caller caller, Optional<ShardMapView> view) {
        return RelayConnectionHandler.routingHint(new CloseStream(1, reason), caller, view, "app-1");
    }

    @Test
    void aCoupleThatMovedIsSentToItsNewOwnerByTheSameMap() {
        CloseStream close = hint(CloseReason.NOT_OWNER, Caller.of(10, coupleOnShard(1), "phone"), Optional.of(MAP));
        assertThat(close.getShardMapEpoch()).isEqualTo(7);
        assertThat(close.getMovedTo()).isEqualTo(OTHER);
    }

    @Test
    void noOwnerIsNamedWhenTheMapStillSaysThisServerOrTheCloseIsNotAMove() {
        long stayed = coupleOnShard(0);
        long moved = coupleOnShard(1);
        assertThat(hint(CloseReason.NOT_OWNER, Caller.of(10, stayed, "phone"), Optional.of(MAP)).isSetMovedTo())
                .as("the map still gives the couple to this server").isFalse();
        assertThat(hint(CloseReason.SLOW_CONSUMER, Caller.of(10, moved, "phone"), Optional.of(MAP)).isSetMovedTo())
                .as("not a move").isFalse();
        assertThat(hint(CloseReason.NOT_OWNER, Caller.of(10, 0, "phone"), Optional.of(MAP)).isSetMovedTo())
                .as("an unpaired user has no couple to follow").isFalse();
        CloseStream noMap = hint(CloseReason.NOT_OWNER, Caller.of(10, moved, "phone"), Optional.empty());
        assertThat(noMap.isSetMovedTo()).isFalse();
        assertThat(noMap.getShardMapEpoch()).isZero();
    }
}
