package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.couple.SessionStream;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The order stream named once per session: declared by an acknowledged send that names it, filled in for the
 * later ones; a refused send declares nothing.
 */
class DeclaredOrderStreamsTest {
    private final KeepingSession session = new KeepingSession();

    @Test
    void anAcknowledgedSendThatNamesItsStreamDeclaresItAndTheNextOnesAreFilledInWithIt() throws DuetError {
        SendMessageResult result = acknowledge(send(1, 0).setOrderStream("stream-a"));
        assertThat(result.isOrderStreamKept()).isTrue();
        assertThat(session.keptOrderStream()).isEqualTo("stream-a");

        SendMessageRequest next = send(2, 1);
        assertThat(DeclaredOrderStreams.resolve(next, session)).as("nothing new to keep").isNull();
        assertThat(next.getOrderStream()).isEqualTo("stream-a");
        assertThat(next.getOrdinal()).isEqualTo(2);
        assertThat(next.getAfterOrdinal()).isEqualTo(1);
    }

    @Test
    void aRefusedSendNamingAStreamDeclaresNothing() throws DuetError {
        SendMessageRequest named = send(1, 0).setOrderStream("stream-t");
        String toKeep = DeclaredOrderStreams.resolve(named, session);
        assertThat(toKeep).isEqualTo("stream-t");
        CompletableFuture<SendMessageResult> refused = DeclaredOrderStreams.keepOnAcknowledgement(
                CompletableFuture.failedFuture(new DuetError(ErrorCode.OUT_OF_ORDER)), toKeep, session);
        assertThat(refused).isCompletedExceptionally();
        assertThat(session.keptOrderStream()).as("not declared by a refused send").isNull();
        assertThatThrownBy(() -> DeclaredOrderStreams.resolve(send(2, 1), session))
                .isInstanceOfSatisfying(DuetError.class,
                        error -> assertThat(error.getCode()).isEqualTo(ErrorCode.ORDER_STREAM_UNDECLARED));

        acknowledge(send(1, 0).setOrderStream("stream-a"));
        DeclaredOrderStreams.keepOnAcknowledgement(
                CompletableFuture.failedFuture(new DuetError(ErrorCode.RATE_LIMITED)),
                DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-b"), session), session);
        assertThat(session.keptOrderStream()).as("the acknowledged stream stays").isEqualTo("stream-a");
    }

    @Test
    void aSendNotYetAcknowledgedDeclaresNothingYet() throws DuetError {
        CompletableFuture<SendMessageResult> sent = new CompletableFuture<>();
        CompletableFuture<SendMessageResult> reply = DeclaredOrderStreams.keepOnAcknowledgement(sent,
                DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-a"), session), session);
        assertThat(session.keptOrderStream()).isNull();
        SendMessageResult stored = new SendMessageResult(1, 100, false);
        sent.complete(stored);
        assertThat(session.keptOrderStream()).isEqualTo("stream-a");
        assertThat(reply.join().isOrderStreamKept()).isTrue();
        assertThat(stored.isSetOrderStreamKept()).as("the actor's result, perhaps a retry's, is not changed").isFalse();
    }

    @Test
    void namingAnotherStreamDeclaresThatOneInstead() throws DuetError {
        acknowledge(send(1, 0).setOrderStream("stream-a"));
        acknowledge(send(1, 0).setOrderStream("stream-b"));
        SendMessageRequest next = send(2, 1);
        DeclaredOrderStreams.resolve(next, session);
        assertThat(next.getOrderStream()).isEqualTo("stream-b");
    }

    @Test
    void aNewSessionRefusesASendThatLeavesItsStreamOutWithATypedError() {
        assertThatThrownBy(() -> DeclaredOrderStreams.resolve(send(7, 6), session))
                .isInstanceOfSatisfying(DuetError.class, error -> {
                    assertThat(error.getCode()).isEqualTo(ErrorCode.ORDER_STREAM_UNDECLARED);
                    assertThat(error.getMessage()).contains("ordinal 7");
                    assertThat(error.getRetryAfterMillis()).isZero();
                });
    }

    @Test
    void aStreamNameOutOfLimitsIsNotKeptAndLeftForTheSendChecksToRefuse() throws DuetError {
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("x".repeat(65)), session)).isNull();
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream(""), session)).isNull();
        assertThat(session.keptOrderStream()).isNull();
    }

    @Test
    void overHttpNothingIsDeclaredAndTheRequestIsLeftAsItCame() throws DuetError {
        SendMessageRequest named = send(1, 0).setOrderStream("stream-a");
        assertThat(DeclaredOrderStreams.resolve(named, null)).isNull();
        SendMessageRequest left = send(2, 1);
        assertThat(DeclaredOrderStreams.resolve(left, null)).isNull();
        assertThat(left.isSetOrderStream()).as("refused by the send checks, INVALID_ARGUMENT as before").isFalse();
    }

    @Test
    void aSessionThatKeepsNoStreamNeverSaysItKeepsOne() throws DuetError {
        SessionStream keepsNothing = new KeepingSession() {
            @Override
            public boolean keepOrderStream(String orderStream) {
                return false;
            }
        };
        SendMessageRequest named = send(1, 0).setOrderStream("stream-a");
        SendMessageResult result = DeclaredOrderStreams.keepOnAcknowledgement(CompletableFuture.completedFuture(
                new SendMessageResult(1, 100, false)), DeclaredOrderStreams.resolve(named, keepsNothing), keepsNothing)
                .join();
        assertThat(result.isSetOrderStreamKept()).isFalse();
    }

    @Test
    void aSendWithoutOrderingIsLeftAlone() throws DuetError {
        SendMessageRequest plain = new SendMessageRequest("id", "hello", 1);
        assertThat(DeclaredOrderStreams.resolve(plain, session)).isNull();
        assertThat(plain.isSetOrderStream()).isFalse();
    }

    /** Resolves {@code request} on the session and acknowledges it as stored. */
    private SendMessageResult acknowledge(SendMessageRequest request) throws DuetError {
        return DeclaredOrderStreams.keepOnAcknowledgement(CompletableFuture.completedFuture(
                new SendMessageResult(1, 100, false)), DeclaredOrderStreams.resolve(request, session), session).join();
    }

    private static SendMessageRequest send(long ordinal, long afterOrdinal) {
        return new SendMessageRequest("id-" + ordinal, "hello", 1).setOrdinal(ordinal).setAfterOrdinal(afterOrdinal);
    }

    /** A session that keeps its order stream, as a relay stream does. */
    private static class KeepingSession implements SessionStream {
        private String orderStream;

        @Override
        public boolean keepOrderStream(String orderStream) {
            this.orderStream = orderStream;
            return true;
        }

        @Override
        public String keptOrderStream() {
            return orderStream;
        }

        @Override
        public long userId() {
            return 1;
        }

        @Override
        public String deviceId() {
            return "device";
        }

        @Override
        public void pushEvent(byte[] event) {
        }

        @Override
        public void moved(String detail) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public boolean canReplay() {
            return true;
        }

        @Override
        public void whenReplayable(Runnable task) {
            task.run();
        }
    }
}
