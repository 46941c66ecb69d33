package io.duet.it;

import io.duet.protocol.api.Message;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what one client received against the delivery guarantee: sequence numbers contiguous and
 * increasing (nothing reordered or skipped), no message twice, and every acknowledged message present.
 * Reports every violation, not just the first.
 */
public final class DeliveryChecker {
    private DeliveryChecker() {
    }

    /**
     * @param received what the client's listener got, in order
     * @param firstSeq the sequence number the client should have started at
     * @param acknowledged the text of every send that succeeded (unique per test) to its sequence number
     * @return the violations; empty when the delivery was correct
     */
    public static List<String> violations(List<Message> received, long firstSeq, Map<String, Long> acknowledged) {
        List<String> problems = new ArrayList<>();
        Set<String> seenIds = new HashSet<>();
        long expected = firstSeq;
        for (Message message : received) {
            if (message.getSeq() < expected) {
                problems.add("duplicate or reordered: seq " + message.getSeq() + " after " + (expected - 1));
            } else if (message.getSeq() > expected) {
                problems.add("lost: seq " + expected + " to " + (message.getSeq() - 1) + " missing before " + message.getSeq());
            }
            if (!seenIds.add(message.getClientMessageId())) {
                problems.add("duplicate: client message " + message.getClientMessageId() + " delivered twice");
            }
            expected = Math.max(expected, message.getSeq() + 1);
        }
        Map<Long, String> bySeq = new java.util.HashMap<>();
        received.forEach(message -> bySeq.put(message.getSeq(), message.getText()));
        acknowledged.forEach((text, seq) -> {
            if (!text.equals(bySeq.get(seq))) {
                problems.add("acknowledged message '" + text + "' (seq " + seq + ") not delivered; got '"
                        + bySeq.get(seq) + "'");
            }
        });
        return problems;
    }
}
