package io.duet.app.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.couple.SessionStream;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.SendMessageRequest;
import org.junit.jupiter.api.Test;

/** The order stream named once per session: declared by a send that names it, filled in for the later ones. */
class DeclaredOrderStreamsTest {
    private final KeepingSession session = new KeepingSession();

    @Test
    void aSendThatNamesItsStreamDeclaresItAndTheNextOnesAreFilledInWithIt() throws DuetError {
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-a"), session)).isTrue();

        SendMessageRequest next = send(2, 1);
        assertThat(DeclaredOrderStreams.resolve(next, session)).as("nothing new to keep").isFalse();
        assertThat(next.getOrderStream()).isEqualTo("stream-a");
        assertThat(next.getOrdinal()).isEqualTo(2);
        assertThat(next.getAfterOrdinal()).isEqualTo(1);
    }

    @Test
    void namingAnotherStreamDeclaresThatOneInstead() throws DuetError {
        DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-a"), session);
        DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-b"), session);
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
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("x".repeat(65)), session)).isFalse();
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream(""), session)).isFalse();
        assertThat(session.keptOrderStream()).isNull();
    }

    @Test
    void overHttpNothingIsDeclaredAndTheRequestIsLeftAsItCame() throws DuetError {
        SendMessageRequest named = send(1, 0).setOrderStream("stream-a");
        assertThat(DeclaredOrderStreams.resolve(named, null)).isFalse();
        SendMessageRequest left = send(2, 1);
        assertThat(DeclaredOrderStreams.resolve(left, null)).isFalse();
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
        assertThat(DeclaredOrderStreams.resolve(send(1, 0).setOrderStream("stream-a"), keepsNothing)).isFalse();
    }

    @Test
    void aSendWithoutOrderingIsLeftAlone() throws DuetError {
        SendMessageRequest plain = new SendMessageRequest("id", "hello", 1);
        assertThat(DeclaredOrderStreams.resolve(plain, session)).isFalse();
        assertThat(plain.isSetOrderStream()).isFalse();
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
