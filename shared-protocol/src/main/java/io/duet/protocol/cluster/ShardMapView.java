package io.duet.protocol.cluster;

import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A read-only view of one published {@link ShardMap}, checked for consistency when parsed. Views are
 * immutable: a new publication means a new view.
 */
public final class ShardMapView {
    private final ShardMap map;

    private ShardMapView(ShardMap map) {
        this.map = map;
    }

    /** Parses and checks a shard map record. */
    public static ShardMapView parse(byte[] bytes) throws MalformedPayloadException {
        return of(ThriftCodec.INTERNAL.decode(bytes, new ShardMap()));
    }

    /** Checks {@code map} and wraps a copy of it. */
    public static ShardMapView of(ShardMap map) throws MalformedPayloadException {
        Objects.requireNonNull(map, "map");
        if (map.getShardCount() < 1 || map.getShardCount() > Shards.MAX_SHARD_COUNT) {
            throw new MalformedPayloadException("shard map with " + map.getShardCount() + " shards");
        }
        if (map.getShards() == null || map.getShards().size() != map.getShardCount()) {
            throw new MalformedPayloadException("shard map lists " + (map.getShards() == null ? 0
                    : map.getShards().size()) + " shards, expected " + map.getShardCount());
        }
        ShardMap copy = map.deepCopy();
        if (copy.getServers() == null) {
            copy.setServers(Map.of());
        }
        return new ShardMapView(copy);
    }

    public long epoch() {
        return map.getEpoch();
    }

    /** The application server that published this map. */
    public String leaderId() {
        return map.getLeaderId() == null ? "" : map.getLeaderId();
    }

    public int shardCount() {
        return map.getShardCount();
    }

    public int shardOf(long id) {
        return Shards.shardOf(id, map.getShardCount());
    }

    /** The serverId that owns {@code shard}, or empty when it is unassigned. */
    public Optional<String> ownerIdOf(int shard) {
        String owner = assignment(shard).getOwner();
        return owner == null || owner.isEmpty() ? Optional.empty() : Optional.of(owner);
    }

    /** The owner of {@code shard}, if it is assigned to a live server. */
    public Optional<AppServerInfo> ownerOf(int shard) {
        return ownerIdOf(shard).map(id -> map.getServers().get(id));
    }

    /** The epoch of the current assignment of {@code shard}; it fences its owner's writes. */
    public long epochOf(int shard) {
        return assignment(shard).getEpoch();
    }

    /** Live application servers at publication, by serverId. */
    public Map<String, AppServerInfo> servers() {
        return Collections.unmodifiableMap(map.getServers());
    }

    /** When the leader published this map, by its clock. */
    public long publishedAtMillis() {
        return map.getPublishedAtMillis();
    }

    /** A copy of the underlying record. */
    public ShardMap toRecord() {
        return map.deepCopy();
    }

    private ShardAssignment assignment(int shard) {
        if (shard < 0 || shard >= map.getShardCount()) {
            throw new IllegalArgumentException("shard: " + shard + " (expected: 0.." + (map.getShardCount() - 1) + ")");
        }
        return map.getShards().get(shard);
    }

    @Override
    public String toString() {
        return "ShardMap(epoch=" + map.getEpoch() + ", shards=" + map.getShardCount() + ", servers="
                + map.getServers().keySet() + ')';
    }
}
