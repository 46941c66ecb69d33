package io.duet.protocol.thrift;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.relay.WireProtocol;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MethodIdsTest {
    @Test
    void everyIdStandsForAMethodOfTheClientApiAndEachMethodHasOneIdAtMost() {
        Set<String> methods = new HashSet<>();
        ClientApi.SERVICES.forEach(service -> service.methods()
                .forEach(method -> methods.add(service.name() + ThriftMessages.SERVICE_SEPARATOR + method)));
        assertThat(MethodIds.all()).isNotEmpty();
        assertThat(methods).containsAll(MethodIds.all().values());
        assertThat(new HashSet<>(MethodIds.all().values())).hasSameSizeAs(MethodIds.all().values());
        assertThat(MethodIds.all().keySet()).as("no id is also a method's name")
                .allSatisfy(id -> assertThat(methods.stream().anyMatch(m -> m.endsWith(":" + id))).isFalse());
    }

    @Test
    void anIdAndItsFullNameMapToEachOther() {
        for (Map.Entry<String, String> entry : MethodIds.all().entrySet()) {
            String fullName = entry.getValue();
            int separator = fullName.indexOf(ThriftMessages.SERVICE_SEPARATOR);
            assertThat(MethodIds.idOrFullName(fullName.substring(0, separator), fullName.substring(separator + 1)))
                    .isEqualTo(entry.getKey());
            assertThat(MethodIds.fullName(entry.getKey())).isEqualTo(fullName);
        }
    }

    @Test
    void idsAreUsedOnlyWithAServerWhoseTableIsAtLeastOurs() {
        assertThat(MethodIds.takenAt(0)).as("absent: an older server").isFalse();
        assertThat(MethodIds.takenAt(commonConstants.METHOD_IDS_VERSION - 1)).isFalse();
        assertThat(MethodIds.takenAt(commonConstants.METHOD_IDS_VERSION)).isTrue();
        assertThat(MethodIds.takenAt(commonConstants.METHOD_IDS_VERSION + 1)).as("a newer table only adds ids")
                .isTrue();
    }

    @Test
    void namesThatAreNoIdStayAsTheyAre() {
        assertThat(MethodIds.fullName("chat:sendMessage")).isEqualTo("chat:sendMessage");
        assertThat(MethodIds.fullName("sendMessage")).isEqualTo("sendMessage");
        assertThat(MethodIds.fullName("99")).isEqualTo("99");
        assertThat(MethodIds.idOrFullName(commonConstants.ACCOUNT_SERVICE, "logIn")).isEqualTo("account:logIn");
    }

    @Test
    void aSendNamedByItsIdIs15BytesShorter() {
        ChatService.sendMessage_args args = new ChatService.sendMessage_args(new SendMessageRequest("id", "hi", 1));
        String fullName = commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + "sendMessage";
        byte[] full = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT, fullName, 1, args, false);
        byte[] byId = ThriftMessages.encodeCall(ThriftCodec.INTERNAL, WireProtocol.COMPACT,
                MethodIds.idOrFullName(commonConstants.CHAT_SERVICE, "sendMessage"), 1, args, false);
        assertThat(full.length - byId.length).isEqualTo(15);
    }
}
