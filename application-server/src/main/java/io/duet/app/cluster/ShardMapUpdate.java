package io.duet.app.cluster;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.List;
import java.util.Map;

/**
 * One read-modify-write of the shard map by the leader that keeps the fields this version does not know,
 * so that during a rolling deploy an older leader does not erase what a newer version wrote. It reads the
 * published map and the members' records, and writes the map {@link ShardAssigner#next} derives from them
 * with the unknown fields of:
 *
 * <ul>
 *   <li>the published map, at its top level;
 *   <li>each published shard assignment and server entry that did not change (equal in every field this
 *       version knows): the published record itself is written again, its nested structs included;
 *   <li>each server entry that is new or changed: it is the server's membership record, as read.
 * </ul>
 *
 * <p>A shard that moved gets a new assignment, without the unknown fields of the previous one: what a newer
 * leader recorded about the previous owner's tenure does not hold for the next owner's, and a newer leader
 * computes it afresh. Likewise a restarted server's entry is its new record. Not thread-safe: one per
 * publication.
 */
final class ShardMapUpdate {
    private final ThriftCodec codec = ThriftCodec.INTERNAL;
    private final UnknownFields unknown = new UnknownFields();

    /** Reads the published map. */
    ShardMap readPublished(byte[] data) throws MalformedPayloadException {
        return codec.decodeKeepingUnknown(data, new ShardMap(), unknown);
    }

    /** Reads a live server's membership record. */
    AppServerInfo readMember(byte[] data) throws MalformedPayloadException {
        return codec.decodeKeepingUnknown(data, new AppServerInfo(), unknown);
    }

    /**
     * @param published the map read by {@link #readPublished}, or null if there was none
     * @param next the map {@link ShardAssigner#next} derived from it and from the records read by {@link
     *     #readMember}; its unchanged records are replaced by the equal published ones
     * @return {@code next}, encoded with the unknown fields it keeps
     */
    byte[] write(ShardMap published, ShardMap next) {
        if (published != null) {
            unknown.carry(published, next);
            List<ShardAssignment> shards = next.getShards();
            for (int shard = 0; shard < shards.size(); shard++) {
                ShardAssignment before = published.getShards().get(shard);
                if (before.equals(shards.get(shard))) {
                    shards.set(shard, before);
                }
            }
            Map<String, AppServerInfo> servers = next.getServers();
            published.getServers().forEach((id, before) -> {
                if (before.equals(servers.get(id))) {
                    servers.put(id, before);
                }
            });
        }
        return codec.encodeKeepingUnknown(next, unknown);
    }
}
