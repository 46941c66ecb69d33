package io.duet.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.it.chaos.ChaosChecker.CoupleRun;
import io.duet.it.chaos.ChaosChecker.DeviceLog;
import io.duet.it.chaos.ChaosChecker.Invariant;
import io.duet.it.chaos.ChaosChecker.Report;
import io.duet.it.chaos.ChaosChecker.SendLog;
import io.duet.protocol.api.Message;
import io.duet.protocol.storage.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The chaos checker's judgement on synthetic runs of one couple (Ann and Bob, a phone that sends and a
 * tablet that only receives each): a clean run passes, and each kind of broken delivery, storage or
 * fencing (a fence going back, two writers in one shard epoch, a message without a writer) is reported
 * under its invariant, naming the device.
 */
class ChaosCheckerTest {
    private static final long COUPLE = 77;
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final String ANN_PHONE = "c0-ann (device ann-phone, sends, via presentation server 0)";
    private static final String ANN_TABLET = "c0-ann-tablet (device ann-tablet, receive-only, via presentation server 1)";
    private static final String BOB_PHONE = "c0-bob (device bob-phone, sends, via presentation server 1)";
    private static final String BOB_TABLET = "c0-bob-tablet (device bob-tablet, receive-only, via presentation server 0)";
    private static final Duration QUIET = Duration.ofSeconds(30);

    private static final String APP_1 = "app-1@lz0001";
    private static final String APP_2 = "app-2@lz0002";

    /** Ann's 0 (seq 1), Bob's 0 (2), Ann's 1 (3), Bob's 1 (4), all by one owner ({@link #APP_1}) at fence 5. */
    private final NavigableMap<Long, StoredMessage> stored = new TreeMap<>(Map.of(
            1L, stored("c0-ann says 0", ANN, "ann-phone", 5),
            2L, stored("c0-bob says 0", BOB, "bob-phone", 5),
            3L, stored("c0-ann says 1", ANN, "ann-phone", 5),
            4L, stored("c0-bob says 1", BOB, "bob-phone", 5)));
    private final List<SendLog> sends = List.of(
            new SendLog("c0-ann", ANN, "ann-phone", List.of(acked(0, "c0-ann says 0", 1), acked(1, "c0-ann says 1", 3))),
            new SendLog("c0-bob", BOB, "bob-phone", List.of(acked(0, "c0-bob says 0", 2), acked(1, "c0-bob says 1", 4))));

    @Test
    void aCleanRunHasNoViolation() {
        Report report = check(everyDeviceGot(all()));

        assertThat(report.violations()).isEmpty();
        assertThat(report.acknowledged()).isEqualTo(4);
    }

    @Test
    void aDuplicateDeliveryIsReportedForThatDeviceOnly() {
        Report report = check(devices(all(), all(), withDuplicateOf(2), all()));

        assertThat(report.violations(Invariant.DELIVERED)).isNotEmpty()
                .allMatch(violation -> violation.contains(ANN_TABLET), "names Ann's tablet")
                .anyMatch(violation -> violation.contains("duplicate"))
                .anyMatch(violation -> violation.contains("received 5 messages; HBase has 4"));
        assertThat(report.violations(Invariant.STORED)).isEmpty();
    }

    @Test
    void aGapIsReportedForThatDevice() {
        Report report = check(devices(all(), all(), all(), without(3)));

        assertThat(report.violations(Invariant.DELIVERED)).isNotEmpty()
                .allMatch(violation -> violation.contains(BOB_TABLET), "names Bob's tablet")
                .anyMatch(violation -> violation.contains("lost: seq 3 to 3 missing before 4"))
                .anyMatch(violation -> violation.contains("'c0-ann says 1' (seq 3) not delivered"));
    }

    @Test
    void aReorderedDeliveryIsReported() {
        Report report = check(devices(all(), reordered(), all(), all()));

        assertThat(report.violations(Invariant.DELIVERED)).isNotEmpty()
                .allMatch(violation -> violation.contains(BOB_PHONE), "names Bob's phone")
                .anyMatch(violation -> violation.contains("duplicate or reordered"));
    }

    @Test
    void aReceiveOnlyDeviceThatMissedThePartnersMessagesIsReported() {
        // Ann's tablet heard only Ann's own messages (seq 1 and 3): Bob's never reached it.
        Report report = check(devices(all(), all(), only(1, 3), all()));

        assertThat(report.violations(Invariant.DELIVERED)).isNotEmpty()
                .allMatch(violation -> violation.contains(ANN_TABLET))
                .anyMatch(violation -> violation.contains("'c0-bob says 0' (seq 2) not delivered"))
                .anyMatch(violation -> violation.contains("did not catch up within 30 s: last delivered seq 3, "
                        + "HBase's last is 4 (1 behind)"));
    }

    @Test
    void aSendersOtherDeviceThatMissedItsOwnMessageIsReported() {
        // Bob's tablet missed Bob's own last message: own messages must reach all of one's devices.
        Report report = check(devices(all(), all(), all(), without(4)));

        assertThat(report.violations(Invariant.DELIVERED))
                .anyMatch(violation -> violation.startsWith("couple 77: " + BOB_TABLET + " did not catch up"))
                .anyMatch(violation -> violation.contains("'c0-bob says 1' (seq 4) not delivered"));
    }

    @Test
    void aMessageDeliveredOtherThanStoredIsReported() {
        List<Message> altered = all();
        altered.set(1, altered.get(1).deepCopy().setText("something else"));
        Report report = check(devices(altered, all(), all(), all()));

        assertThat(report.violations(Invariant.DELIVERED))
                .anyMatch(violation -> violation.contains(ANN_PHONE + " received seq 2 as 'something else', HBase has "
                        + "'c0-bob says 0' there"));
    }

    @Test
    void aLostRangeThatHBaseHasIsReported() {
        List<DeviceLog> devices = new ArrayList<>(everyDeviceGot(all()));
        devices.set(0, new DeviceLog(ANN_PHONE, only(1, 2, 4), List.of("3..3")));
        Report report = check(devices);

        assertThat(report.violations(Invariant.DELIVERED))
                .anyMatch(violation -> violation.contains(ANN_PHONE + " was told seq 3..3 are lost, yet HBase has 1"));
    }

    @Test
    void storageFencingAndSenderOrderAreStillJudged() {
        stored.put(3L, stored("c0-ann says 1", ANN, "ann-tablet", 4));
        stored.put(5L, stored("c0-bob says 0", BOB, "bob-phone", 5));
        List<Message> withFifth = all();
        Report report = check(everyDeviceGot(withFifth));

        assertThat(report.violations(Invariant.ONE_WRITER)).singleElement().asString()
                .contains("seq 3 was written under fence 4 after a message written under the newer fence 5");
        assertThat(report.violations(Invariant.STORED))
                .anyMatch(violation -> violation.contains("'c0-bob says 0' stored twice, as 2 and 5"))
                .anyMatch(violation -> violation.contains("on device ann-tablet; c0-ann is user 1 on device ann-phone"))
                .anyMatch(violation -> violation.contains("acknowledged 'c0-bob says 0' as seq 2 but HBase has it at 5"));
        assertThat(report.violations(Invariant.SENDER_ORDER))
                .anyMatch(violation -> violation.contains("c0-bob's message 1 stored at seq 4, before an earlier"));
    }

    @Test
    void theWriterMayChangeOnlyWithTheShardEpoch() {
        stored.put(1L, stored("c0-ann says 0", ANN, "ann-phone", fence(5, 0), APP_1));
        stored.put(2L, stored("c0-bob says 0", BOB, "bob-phone", fence(5, 1), APP_1));
        stored.put(3L, stored("c0-ann says 1", ANN, "ann-phone", fence(6, 0), APP_2));
        stored.put(4L, stored("c0-bob says 1", BOB, "bob-phone", fence(7, 0), APP_1));

        assertThat(check(everyDeviceGot(all())).violations()).as("a reload, a move and a move back").isEmpty();
    }

    @Test
    void twoWritersUnderOneFenceAreReportedThoughTheFenceNeverDecreases() {
        stored.put(3L, stored("c0-ann says 1", ANN, "ann-phone", 5, APP_2));

        assertThat(check(everyDeviceGot(all())).violations(Invariant.ONE_WRITER)).singleElement().asString()
                .contains("seq 3 was written by " + APP_2 + " under fence 5 (shard epoch 0), which " + APP_1
                        + " also wrote under: two writers");
    }

    @Test
    void writersInterleavingWithinOneEpochAreReported() {
        stored.put(1L, stored("c0-ann says 0", ANN, "ann-phone", fence(5, 0), APP_1));
        stored.put(2L, stored("c0-bob says 0", BOB, "bob-phone", fence(5, 1), APP_2));
        stored.put(3L, stored("c0-ann says 1", ANN, "ann-phone", fence(5, 1), APP_1));
        stored.put(4L, stored("c0-bob says 1", BOB, "bob-phone", fence(5, 2), APP_2));

        assertThat(check(everyDeviceGot(all())).violations(Invariant.ONE_WRITER)).hasSize(2)
                .allMatch(violation -> violation.contains(APP_2 + " under fence") && violation.contains("shard epoch 5"));
    }

    @Test
    void aMessageWithoutAWriterCannotBeProven() {
        stored.put(2L, stored("c0-bob says 0", BOB, "bob-phone", 5, null));

        assertThat(check(everyDeviceGot(all())).violations(Invariant.ONE_WRITER)).singleElement().asString()
                .contains("seq 2 records no writer");
    }

    private static long fence(long shardEpoch, int generation) {
        return (shardEpoch << 20) + generation;
    }

    private Report check(List<DeviceLog> devices) {
        Report report = new Report();
        ChaosChecker.check(new CoupleRun(COUPLE, stored, sends, devices), QUIET, report);
        return report;
    }

    private static List<DeviceLog> everyDeviceGot(List<Message> received) {
        return devices(received, received, received, received);
    }

    private static List<DeviceLog> devices(List<Message> annPhone, List<Message> bobPhone, List<Message> annTablet,
            List<Message> bobTablet) {
        return List.of(new DeviceLog(ANN_PHONE, annPhone, List.of()), new DeviceLog(BOB_PHONE, bobPhone, List.of()),
                new DeviceLog(ANN_TABLET, annTablet, List.of()), new DeviceLog(BOB_TABLET, bobTablet, List.of()));
    }

    /** Every stored message, in sequence order, as delivered. */
    private List<Message> all() {
        List<Message> messages = new ArrayList<>();
        stored.forEach((seq, message) -> messages.add(delivered(seq, message)));
        return messages;
    }

    private List<Message> only(long... seqs) {
        List<Message> messages = new ArrayList<>();
        for (long seq : seqs) {
            messages.add(delivered(seq, stored.get(seq)));
        }
        return messages;
    }

    private List<Message> without(long seq) {
        return edit(messages -> {
            messages.removeIf(message -> message.getSeq() == seq);
            return messages;
        });
    }

    private List<Message> withDuplicateOf(long seq) {
        return edit(messages -> {
            messages.add((int) seq, delivered(seq, stored.get(seq)));
            return messages;
        });
    }

    private List<Message> reordered() {
        return only(1, 3, 2, 4);
    }

    private List<Message> edit(UnaryOperator<List<Message>> change) {
        return change.apply(all());
    }

    private static Message delivered(long seq, StoredMessage message) {
        return new Message().setSeq(seq).setClientMessageId(message.getClientMessageId())
                .setSenderId(message.getSenderId()).setSenderDeviceId(message.getSenderDeviceId())
                .setSentAtMillis(message.getSentAtMillis()).setText(message.getText());
    }

    private static StoredMessage stored(String text, long senderId, String deviceId, long fence) {
        return stored(text, senderId, deviceId, fence, APP_1);
    }

    private static StoredMessage stored(String text, long senderId, String deviceId, long fence, String writer) {
        return new StoredMessage().setClientMessageId("id of " + text).setSenderId(senderId).setSenderDeviceId(deviceId)
                .setSentAtMillis(1_000).setKind(1).setText(text).setFence(fence).setWriterInstance(writer);
    }

    private static ChatLoad.SendRecord acked(int index, String text, long seq) {
        ChatLoad.SendRecord record = new ChatLoad.SendRecord(index, text, index);
        record.seq = seq;
        record.ackNanos = index + 1;
        return record;
    }
}
