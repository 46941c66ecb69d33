package io.duet.protocol.thrift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.Session;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.UserProfile;
import io.duet.protocol.cluster.AppServerInfo;
import io.duet.protocol.cluster.Endpoint;
import io.duet.protocol.cluster.ShardAssignment;
import io.duet.protocol.cluster.ShardMap;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.OpenStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.UserPush;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.token.TokenClaims;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class UnknownFieldsTest {
    private final ThriftCodec codec = ThriftCodec.INTERNAL;

    /**
     * A shard map as a newer version writes it: with {@code newer}, fields this version does not declare
     * at the top level (of every wire type), in one shard assignment, in one server and in its endpoint.
     */
    private static byte[] shardMap(boolean newer) throws TException {
        return compact(out -> struct(out, map -> {
            field(map, 1, TType.I64, p -> p.writeI64(9));
            field(map, 2, TType.I32, p -> p.writeI32(2));
            field(map, 3, TType.LIST, p -> {
                p.writeListBegin(new TList(TType.STRUCT, 2));
                struct(p, shard -> {
                    field(shard, 1, TType.STRING, q -> q.writeString("a"));
                    field(shard, 2, TType.I64, q -> q.writeI64(3));
                    if (newer) {
                        field(shard, 3, TType.STRING, q -> q.writeString("rack-1"));
                        field(shard, 4, TType.LIST, q -> {
                            q.writeListBegin(new TList(TType.I64, 2));
                            q.writeI64(5);
                            q.writeI64(-6);
                            q.writeListEnd();
                        });
                    }
                });
                struct(p, shard -> {
                    field(shard, 1, TType.STRING, q -> q.writeString("b"));
                    field(shard, 2, TType.I64, q -> q.writeI64(9));
                });
                p.writeListEnd();
            });
            field(map, 4, TType.MAP, p -> {
                p.writeMapBegin(new TMap(TType.STRING, TType.STRUCT, 2));
                p.writeString("a");
                server(p, "a", 7000, newer);
                p.writeString("b");
                server(p, "b", 7001, false);
                p.writeMapEnd();
            });
            field(map, 5, TType.I64, p -> p.writeI64(1234));
            field(map, 6, TType.STRING, p -> p.writeString("a"));
            if (newer) {
                field(map, 7, TType.I64, p -> p.writeI64(77));
                field(map, 8, TType.STRING, p -> p.writeString("héllo"));
                field(map, 9, TType.BOOL, p -> p.writeBool(true));
                field(map, 10, TType.BOOL, p -> p.writeBool(false));
                field(map, 11, TType.STRUCT, p -> struct(p, nested -> {
                    field(nested, 1, TType.STRING, q -> q.writeString("x"));
                    field(nested, 2, TType.BOOL, q -> q.writeBool(true));
                    field(nested, 40, TType.LIST, q -> {
                        q.writeListBegin(new TList(TType.BOOL, 3));
                        q.writeBool(true);
                        q.writeBool(false);
                        q.writeBool(true);
                        q.writeListEnd();
                    });
                }));
                field(map, 12, TType.LIST, p -> {
                    p.writeListBegin(new TList(TType.STRING, 2));
                    p.writeString("p");
                    p.writeString("q");
                    p.writeListEnd();
                });
                field(map, 13, TType.MAP, p -> {
                    p.writeMapBegin(new TMap(TType.I32, TType.STRING, 1));
                    p.writeI32(1);
                    p.writeString("one");
                    p.writeMapEnd();
                });
                field(map, 14, TType.DOUBLE, p -> p.writeDouble(2.5));
                field(map, 15, TType.SET, p -> {
                    p.writeSetBegin(new TSet(TType.I16, 1));
                    p.writeI16((short) 3);
                    p.writeSetEnd();
                });
                field(map, 16, TType.UUID, p -> p.writeUuid(new UUID(1, 2)));
                field(map, 300, TType.BYTE, p -> p.writeByte((byte) 5));
            }
        }));
    }

    private static void server(TProtocol out, String id, int port, boolean newer) throws TException {
        struct(out, server -> {
            field(server, 1, TType.STRING, p -> p.writeString(id));
            field(server, 2, TType.STRUCT, p -> struct(p, endpoint -> {
                field(endpoint, 1, TType.STRING, q -> q.writeString("10.0.0.1"));
                field(endpoint, 2, TType.I32, q -> q.writeI32(port));
                if (newer) {
                    field(endpoint, 3, TType.STRING, q -> q.writeString("zone-a"));
                }
            }));
            field(server, 3, TType.I64, p -> p.writeI64(100));
            if (newer) {
                field(server, 40, TType.I64, p -> p.writeI64(42));
                field(server, 41, TType.STRUCT, p -> struct(p, version -> field(version, 1, TType.STRING,
                        q -> q.writeString("v2"))));
            }
        });
    }

    private static ShardMap knownFields() {
        Map<String, AppServerInfo> servers = new TreeMap<>();
        servers.put("a", new AppServerInfo("a", new Endpoint("10.0.0.1", 7000), 100));
        servers.put("b", new AppServerInfo("b", new Endpoint("10.0.0.1", 7001), 100));
        return new ShardMap(9, 2, List.of(new ShardAssignment("a", 3), new ShardAssignment("b", 9)), servers, 1234,
                "a");
    }

    @Test
    void aNewerVersionsFieldsSurviveAReadAndAWriteByteForByte() throws Exception {
        byte[] newer = shardMap(true);
        UnknownFields unknown = new UnknownFields();
        ShardMap map = codec.decodeKeepingUnknown(newer, new ShardMap(), unknown);

        assertThat(map).isEqualTo(knownFields());
        assertThat(codec.encodeKeepingUnknown(map, unknown)).isEqualTo(newer);
    }

    @Test
    void theGeneratedCodeDropsThem() throws Exception {
        assertThat(codec.encode(codec.decode(shardMap(true), new ShardMap()))).isEqualTo(shardMap(false));
    }

    @Test
    void changedKnownFieldsAreWrittenWithTheUnknownOnes() throws Exception {
        UnknownFields unknown = new UnknownFields();
        ShardMap map = codec.decodeKeepingUnknown(shardMap(true), new ShardMap(), unknown);
        map.setEpoch(10).getServers().get("a").getRelayEndpoint().setPort(7002);

        ShardMap reread = codec.decodeKeepingUnknown(codec.encodeKeepingUnknown(map, unknown), new ShardMap(),
                unknown);
        assertThat(reread).isEqualTo(map);
        assertThat(idsOf(unknown, reread)).containsExactly(7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 300);
        assertThat(idsOf(unknown, reread.getShards().get(0))).containsExactly(3, 4);
        assertThat(idsOf(unknown, reread.getShards().get(1))).isEmpty();
        assertThat(idsOf(unknown, reread.getServers().get("a"))).containsExactly(40, 41);
        assertThat(idsOf(unknown, reread.getServers().get("a").getRelayEndpoint())).containsExactly(3);
    }

    @Test
    void unknownFieldsReadFirstAreWrittenAfterTheKnownOnes() throws Exception {
        // Id 20 before id 1, then id 3 after id 2: the headers' id deltas must be recomputed.
        byte[] shuffled = compact(out -> struct(out, endpoint -> {
            field(endpoint, 20, TType.I32, p -> p.writeI32(-1));
            field(endpoint, 1, TType.STRING, p -> p.writeString("h"));
            field(endpoint, 2, TType.I32, p -> p.writeI32(80));
            field(endpoint, 3, TType.BOOL, p -> p.writeBool(true));
        }));
        byte[] ordered = compact(out -> struct(out, endpoint -> {
            field(endpoint, 1, TType.STRING, p -> p.writeString("h"));
            field(endpoint, 2, TType.I32, p -> p.writeI32(80));
            field(endpoint, 20, TType.I32, p -> p.writeI32(-1));
            field(endpoint, 3, TType.BOOL, p -> p.writeBool(true));
        }));
        UnknownFields unknown = new UnknownFields();
        Endpoint endpoint = codec.decodeKeepingUnknown(shuffled, new Endpoint(), unknown);

        assertThat(endpoint).isEqualTo(new Endpoint("h", 80));
        assertThat(codec.encodeKeepingUnknown(endpoint, unknown)).isEqualTo(ordered);
    }

    @Test
    void aStructThatReplacesAnotherHasItsUnknownFieldsOnlyWhenCarried() throws Exception {
        UnknownFields unknown = new UnknownFields();
        ShardMap map = codec.decodeKeepingUnknown(shardMap(true), new ShardMap(), unknown);
        ShardMap copy = map.deepCopy();
        assertThat(codec.encodeKeepingUnknown(copy, unknown)).isEqualTo(shardMap(false));

        unknown.carry(map, copy);
        assertThat(idsOf(unknown, copy)).containsExactly(7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 300);
        assertThat(idsOf(unknown, copy.getShards().get(0))).as("nested structs are carried one by one").isEmpty();
    }

    @Test
    void carryingKeepsTheFieldsTheTargetAlreadyHas() throws Exception {
        UnknownFields unknown = new UnknownFields();
        Endpoint older = codec.decodeKeepingUnknown(compact(out -> struct(out, endpoint -> {
            field(endpoint, 3, TType.STRING, p -> p.writeString("old"));
            field(endpoint, 4, TType.I64, p -> p.writeI64(4));
        })), new Endpoint(), unknown);
        Endpoint newer = codec.decodeKeepingUnknown(compact(out -> struct(out, endpoint ->
                field(endpoint, 3, TType.STRING, p -> p.writeString("new")))), new Endpoint(), unknown);

        unknown.carry(older, newer);
        // Endpoint's host is null, so not written; its port is 0, written as the generated code writes it.
        assertThat(codec.encodeKeepingUnknown(newer, unknown)).isEqualTo(compact(out -> struct(out, endpoint -> {
            field(endpoint, 2, TType.I32, p -> p.writeI32(0));
            field(endpoint, 3, TType.STRING, p -> p.writeString("new"));
            field(endpoint, 4, TType.I64, p -> p.writeI64(4));
        })));
    }

    static Stream<TBase<?, ?>> recordsOfEveryShape() {
        Message message = new Message().setSeq(3).setClientMessageId("c").setSenderId(-1).setText("안녕");
        return Stream.of(
                knownFields(),
                new ShardMap(),
                message,
                new HistoryPage().setMessages(List.of(message, new Message())).setHasMore(true).setLatestSeq(9),
                new SetTypingRequest(false),
                new Session().setToken("t").setUserId(1).setCoupleId(0).setMe(new UserProfile(1, "Ann")),
                new DuetError(ErrorCode.NOT_PAIRED).setRetryAfterMillis(0),
                new DuetError(ErrorCode.INTERNAL).setMessage("m"),
                new Event(Event._Fields.MESSAGE, new MessageEvent(message)),
                new MessageEvent(message),
                new OpenStream().setStreamId(1).setKind(StreamKind.SESSION).setProtocol(WireProtocol.JSON)
                        .setPrincipal(new Principal(1, 2, "d")).setServiceName("chat"),
                new CloseStream(5, CloseReason.NOT_OWNER),
                new StreamData(7, PayloadKind.EVENT, ByteBuffer.wrap(new byte[] {0, 1, (byte) 0xFF})),
                new UserPush(List.of(1L, -2L), ByteBuffer.wrap("e".getBytes(StandardCharsets.UTF_8))),
                new TokenClaims(1, 2, "device", 3, 4));
    }

    @ParameterizedTest
    @MethodSource("recordsOfEveryShape")
    void readsAndWritesKnownFieldsExactlyAsTheGeneratedCode(TBase<?, ?> record) throws Exception {
        byte[] generated = codec.encode(record);
        UnknownFields unknown = new UnknownFields();

        assertThat(codec.encodeKeepingUnknown(record, unknown)).isEqualTo(generated);
        TBase<?, ?> decoded = codec.decodeKeepingUnknown(generated, empty(record), unknown);
        assertThat(decoded).isEqualTo(codec.decode(generated, empty(record))).isEqualTo(record);
    }

    @Test
    void aMissingRequiredFieldIsRejectedAsTheGeneratedCodeRejectsIt() throws Exception {
        byte[] noCode = compact(out -> struct(out, error -> field(error, 2, TType.STRING, p -> p.writeString("m"))));
        assertThatThrownBy(() -> codec.decode(noCode, new DuetError())).isInstanceOf(MalformedPayloadException.class);
        assertThatThrownBy(() -> codec.decodeKeepingUnknown(noCode, new DuetError(), new UnknownFields()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("required field 'code'");
    }

    @Test
    void rejectsAnUnknownContainerLongerThanTheContainerLimit() throws Exception {
        ThriftCodec small = new ThriftCodec(ThriftLimits.of(4096, 10, 8));
        byte[] bytes = compact(out -> struct(out, endpoint -> field(endpoint, 9, TType.LIST, p -> {
            p.writeListBegin(new TList(TType.BYTE, 11));
            for (int i = 0; i < 11; i++) {
                p.writeByte((byte) i);
            }
            p.writeListEnd();
        })));
        assertThatThrownBy(() -> small.decodeKeepingUnknown(bytes, new Endpoint(), new UnknownFields()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("Endpoint");
    }

    @Test
    void rejectsContainersAndStringsClaimingMoreThanThePayloadHolds() throws Exception {
        // Each claims far more than its few bytes, within or beyond the limits: rejected before any allocation.
        byte[] unknownMap = compact(out -> struct(out, endpoint -> field(endpoint, 9, TType.MAP, p ->
                p.writeMapBegin(new TMap(TType.I64, TType.STRUCT, 99_999)))));
        byte[] unknownList = compact(out -> struct(out, endpoint -> field(endpoint, 9, TType.LIST, p ->
                p.writeListBegin(new TList(TType.STRUCT, Integer.MAX_VALUE)))));
        byte[] unknownString = {(byte) 0x98, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0x00};
        byte[] knownList = compact(out -> struct(out, map -> field(map, 3, TType.LIST, p ->
                p.writeListBegin(new TList(TType.STRUCT, 99_999)))));
        for (byte[] bytes : List.of(unknownMap, unknownList, unknownString)) {
            assertThatThrownBy(() -> codec.decodeKeepingUnknown(bytes, new Endpoint(), new UnknownFields()))
                    .isInstanceOf(MalformedPayloadException.class);
        }
        assertThatThrownBy(() -> codec.decodeKeepingUnknown(knownList, new ShardMap(), new UnknownFields()))
                .isInstanceOf(MalformedPayloadException.class);
    }

    @Test
    void rejectsUnknownFieldsNestedDeeperThanTheLimit() throws Exception {
        ThriftCodec small = new ThriftCodec(ThriftLimits.of(4096, 10, 8));
        byte[] bytes = compact(out -> struct(out, endpoint -> field(endpoint, 9, TType.LIST, p -> nestedLists(p, 20))));
        assertThatThrownBy(() -> small.decodeKeepingUnknown(bytes, new Endpoint(), new UnknownFields()))
                .isInstanceOf(MalformedPayloadException.class)
                .hasMessageContaining("depth");
    }

    private static void nestedLists(TProtocol out, int depth) throws TException {
        out.writeListBegin(new TList(TType.LIST, depth == 0 ? 0 : 1));
        if (depth > 0) {
            nestedLists(out, depth - 1);
        }
        out.writeListEnd();
    }

    private static TBase<?, ?> empty(TBase<?, ?> record) {
        TBase<?, ?> empty = record.deepCopy();
        empty.clear();
        return empty;
    }

    private static List<Integer> idsOf(UnknownFields unknown, TBase<?, ?> struct) {
        return unknown.of(struct).stream().map(field -> (int) field.id).toList();
    }

    /** Writes part of a payload. */
    private interface Writes {
        void write(TProtocol out) throws TException;
    }

    private static byte[] compact(Writes payload) throws TException {
        TMemoryBuffer buffer = new TMemoryBuffer(64);
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
