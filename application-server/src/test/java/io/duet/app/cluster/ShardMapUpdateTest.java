package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.Test;

/**
 * The leader's read-modify-write of the shard map during a rolling deploy: the published map and the
 * members' records come from a newer version whose IDL adds fields (here, hand-encoded) to the map, the
 * assignments, the servers and their endpoints; the leader runs this version's code, as the publisher does.
 */
class ShardMapUpdateTest {
    private static final int SHARDS = 12;

    private static Map<String, AppServerInfo> servers(String... ids) {
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (int i = 0; i < ids.length; i++) {
            live.put(ids[i], new AppServerInfo(ids[i], new Endpoint("10.0.0." + i, 9000 + i), 1000 + i));
        }
        return live;
    }

    /** What the publisher does with the bytes it reads from ZooKeeper; returns the bytes it would write. */
    private static byte[] publish(byte[] published, Map<String, byte[]> members) throws Exception {
        ShardMapUpdate update = new ShardMapUpdate();
        ShardMap previous = published == null ? null : update.readPublished(published);
        Map<String, AppServerInfo> live = new TreeMap<>();
        for (Map.Entry<String, byte[]> member : members.entrySet()) {
            live.put(member.getKey(), update.readMember(member.getValue()));
        }
        return update.write(previous, ShardAssigner.next(previous, SHARDS, live, "a", 5000));
    }

    private static Map<String, byte[]> records(Map<String, AppServerInfo> servers, boolean newer) throws TException {
        Map<String, byte[]> records = new LinkedHashMap<>();
        for (AppServerInfo server : servers.values()) {
            records.put(server.getServerId(), compact(out -> server(out, server, newer)));
        }
        return records;
    }

    @Test
    void aServerLeavingKeepsTheNewerFieldsOfTheMapAndOfEverythingThatStays() throws Exception {
        ShardMap published = ShardAssigner.next(null, SHARDS, servers("a", "b", "c"), "c", 1000);
        ShardMap expected = ShardAssigner.next(published, SHARDS, servers("a", "b"), "a", 5000);
        Predicate<ShardAssignment> unmoved = shard -> shard.getEpoch() < expected.getEpoch();
        assertThat(expected.getShards()).anyMatch(unmoved).anyMatch(unmoved.negate());

        byte[] written = publish(newer(published, true, shard -> true, server -> true),
                records(servers("a", "b"), true));

        assertThat(written).isEqualTo(newer(expected, true, unmoved, server -> true));
    }

    @Test
    void aJoiningServersEntryHasTheNewerFieldsOfItsMembershipRecord() throws Exception {
        ShardMap published = ShardAssigner.next(null, SHARDS, servers("a", "b"), "a", 1000);
        ShardMap expected = ShardAssigner.next(published, SHARDS, servers("a", "b", "d"), "a", 5000);

        byte[] written = publish(newer(published, true, shard -> true, server -> true),
                records(servers("a", "b", "d"), true));

        assertThat(written).isEqualTo(newer(expected, true, shard -> shard.getEpoch() < expected.getEpoch(),
                server -> true));
    }

    @Test
    void anUnchangedServerKeepsItsEntrysNewerFieldsAndARestartedOneGetsItsNewRecord() throws Exception {
        ShardMap published = ShardAssigner.next(null, SHARDS, servers("a", "b"), "a", 1000);
        Map<String, AppServerInfo> restarted = servers("a", "b");
        restarted.get("b").setStartedAtMillis(2000);
        ShardMap expected = ShardAssigner.next(published, SHARDS, restarted, "a", 5000);

        // Membership records without the newer fields: only the published map has them.
        byte[] written = publish(newer(published, true, shard -> true, server -> true), records(restarted, false));

        // The restarted server keeps its shards at the new epoch: new assignments, without the old extras.
        assertThat(written).isEqualTo(newer(expected, true, shard -> shard.getOwner().equals("a"),
                server -> server.getServerId().equals("a")));
    }

    @Test
    void theFirstMapHasTheNewerFieldsOfTheMembershipRecords() throws Exception {
        ShardMap expected = ShardAssigner.next(null, SHARDS, servers("a", "b"), "a", 5000);

        byte[] written = publish(null, records(servers("a", "b"), true));

        assertThat(written).isEqualTo(newer(expected, false, shard -> false, server -> true));
    }

    /**
     * {@code map} as a newer version writes it, with fields this version does not declare (of several types)
     * at its top level if {@code mapExtras}, and in the assignments and servers that the predicates select.
     */
    private static byte[] newer(ShardMap map, boolean mapExtras, Predicate<ShardAssignment> assignmentExtras,
            Predicate<AppServerInfo> serverExtras) throws TException {
        return compact(out -> struct(out, fields -> {
            field(fields, 1, TType.I64, p -> p.writeI64(map.getEpoch()));
            field(fields, 2, TType.I32, p -> p.writeI32(map.getShardCount()));
            field(fields, 3, TType.LIST, p -> {
                p.writeListBegin(new TList(TType.STRUCT, map.getShardsSize()));
                for (ShardAssignment shard : map.getShards()) {
                    assignment(p, shard, assignmentExtras.test(shard));
                }
                p.writeListEnd();
            });
            field(fields, 4, TType.MAP, p -> {
                p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, map.getServersSize()));
                for (Map.Entry<String, AppServerInfo> server : map.getServers().entrySet()) {
                    p.writeString(server.getKey());
                    server(p, server.getValue(), serverExtras.test(server.getValue()));
                }
                p.writeMapEnd();
            });
            field(fields, 5, TType.I64, p -> p.writeI64(map.getPublishedAtMillis()));
            field(fields, 6, TType.STRING, p -> p.writeString(map.getLeaderId()));
            if (!mapExtras) {
                return;
            }
            field(fields, 7, TType.I64, p -> p.writeI64(-77));
            field(fields, 8, TType.STRING, p -> p.writeString("placement v2"));
            field(fields, 9, TType.STRUCT, p -> struct(p, nested -> field(nested, 1, TType.LIST, q -> {
                q.writeListBegin(new TList(TType.STRING, 2));
                q.writeString("x");
                q.writeString("y");
                q.writeListEnd();
            })));
            field(fields, 40, TType.LIST, p -> {
                p.writeListBegin(new TList(TType.I64, 1));
                p.writeI64(Long.MAX_VALUE);
                p.writeListEnd();
            });
        }));
    }

    private static void assignment(TProtocol out, ShardAssignment shard, boolean extras) throws TException {
        struct(out, fields -> {
            field(fields, 1, TType.STRING, p -> p.writeString(shard.getOwner()));
            field(fields, 2, TType.I64, p -> p.writeI64(shard.getEpoch()));
            if (extras) {
                field(fields, 3, TType.STRING, p -> p.writeString("owned by " + shard.getOwner()));
                field(fields, 4, TType.LIST, p -> {
                    p.writeListBegin(new TList(TType.I64, 1));
                    p.writeI64(shard.getEpoch());
                    p.writeListEnd();
                });
            }
        });
    }

    private static void server(TProtocol out, AppServerInfo server, boolean extras) throws TException {
        struct(out, fields -> {
            field(fields, 1, TType.STRING, p -> p.writeString(server.getServerId()));
            field(fields, 2, TType.STRUCT, p -> struct(p, endpoint -> {
                field(endpoint, 1, TType.STRING, q -> q.writeString(server.getRelayEndpoint().getHost()));
                field(endpoint, 2, TType.I32, q -> q.writeI32(server.getRelayEndpoint().getPort()));
                if (extras) {
                    field(endpoint, 3, TType.STRING, q -> q.writeString("zone of " + server.getServerId()));
                }
            }));
            field(fields, 3, TType.I64, p -> p.writeI64(server.getStartedAtMillis()));
            if (extras) {
                field(fields, 40, TType.I64, p -> p.writeI64(server.getStartedAtMillis() * 3));
                field(fields, 41, TType.STRUCT, p -> struct(p, labels -> field(labels, 1, TType.STRING,
                        q -> q.writeString("labels of " + server.getServerId()))));
            }
        });
    }

    /** Writes part of a payload. */
    private interface Writes {
        void write(TProtocol out) throws TException;
    }

    private static byte[] compact(Writes payload) throws TException {
        TMemoryBuffer buffer = new TMemoryBuffer(256);
        payload.write(new TCompactProtocol(buffer));
        return Arrays.copyOf(buffer.getArray(), buffer.length());
    }

    private static void struct(TProtocol out, Writes fields) throws TException {
        out.writeStructBegin(new TStruct(""));
        fields.write(out);
        out.writeFieldStop();
        out.writeStructEnd();
    }

    private static void field(TProtocol out, int id, byte type, Writes value) throws TException {
        out.writeFieldBegin(new TField("", type, (short) id));
        value.write(out);
        out.writeFieldEnd();
    }
}
