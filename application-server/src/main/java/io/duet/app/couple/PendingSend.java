package io.duet.app.couple;

import io.duet.app.storage.CoupleStore.OrderKey;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.StickerRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A send the couple has taken but not yet answered, with every caller waiting for it (the first attempt
 * and the retries that arrived meanwhile). Confined to the couple's executor.
 */
final class PendingSend {
    final Key key;
    final String deviceId;
    final String text;
    /** A photo message's photo; null for text. */
    final String photoId;
    /** A sticker message's sticker; null for text. */
    final StickerRef sticker;
    /** Its order stream, or null for a send without one. */
    final OrderKey orderKey;
    final long ordinal;
    /** The predecessor it must follow; a retry may lower it while it is held (its predecessor failed). */
    long afterOrdinal;
    final CompletableFuture<SendMessageResult> first = new CompletableFuture<>();
    private final List<CompletableFuture<SendMessageResult>> retries = new ArrayList<>(0);
    /** While held for its predecessor: the timer that gives up on it. */
    ScheduledFuture<?> holdTimer;
    /** A send without a stream: what the dedup look-up found, once it has. */
    LookUp lookUp;

    PendingSend(Key key, String deviceId, String text, String photoId, StickerRef sticker, OrderKey orderKey,
            long ordinal, long afterOrdinal) {
        this.key = key;
        this.deviceId = deviceId;
        this.text = text;
        this.photoId = photoId;
        this.sticker = sticker;
        this.orderKey = orderKey;
        this.ordinal = ordinal;
        this.afterOrdinal = afterOrdinal;
    }

    CompletableFuture<SendMessageResult> addRetry() {
        CompletableFuture<SendMessageResult> retry = new CompletableFuture<>();
        retries.add(retry);
        return retry;
    }

    void complete(Stored stored, boolean firstWasDuplicate) {
        first.complete(stored.result(firstWasDuplicate));
        retries.forEach(retry -> retry.complete(stored.result(true)));
    }

    void fail(Throwable error) {
        if (holdTimer != null) {
            holdTimer.cancel(false);
        }
        first.completeExceptionally(error);
        retries.forEach(retry -> retry.completeExceptionally(error));
    }

    /** Dedup key: client message ids are unique per sender, not per couple. */
    static final class Key {
        final long senderId;
        final String clientMessageId;

        Key(long senderId, String clientMessageId) {
            this.senderId = senderId;
            this.clientMessageId = clientMessageId;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key && ((Key) other).senderId == senderId
                    && ((Key) other).clientMessageId.equals(clientMessageId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(senderId, clientMessageId);
        }
    }

    /** Where and when a send was stored. */
    static final class Stored {
        final long seq;
        final long sentAtMillis;

        Stored(long seq, long sentAtMillis) {
            this.seq = seq;
            this.sentAtMillis = sentAtMillis;
        }

        SendMessageResult result(boolean duplicate) {
            return new SendMessageResult(seq, sentAtMillis, duplicate);
        }
    }

    /** The outcome of an unordered send's dedup look-up. */
    static final class LookUp {
        final OptionalLong storedSeq;
        final Throwable failure;

        private LookUp(OptionalLong storedSeq, Throwable failure) {
            this.storedSeq = storedSeq;
            this.failure = failure;
        }

        static LookUp of(OptionalLong storedSeq) {
            return new LookUp(storedSeq, null);
        }

        static LookUp failed(Throwable failure) {
            return new LookUp(OptionalLong.empty(), failure);
        }
    }
}
