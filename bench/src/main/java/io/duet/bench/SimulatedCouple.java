package io.duet.bench;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.client.DuetListener;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.Session;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two partners, each with one phone connected over TCP: signed up and paired over HTTP (as an app
 * does), then chatting through their SDK clients. What they receive from each other is timed by the
 * schedule tag in its text ({@link TextMix#tagged}); typing is timed by when the partner last toggled it.
 */
final class SimulatedCouple implements AutoCloseable {
    private static final String PASSWORD = "load-generator-password-1";

    final int index;
    final Partner[] partners = new Partner[2];

    private SimulatedCouple(int index) {
        this.index = index;
    }

    /** Signs both partners up and pairs them, over {@code http}. */
    static SimulatedCouple pair(int index, String runId, java.net.URI http) throws Exception {
        SimulatedCouple couple = new SimulatedCouple(index);
        DuetHttp annHttp = new DuetHttp(http, "load-" + runId + "-" + index + "-a");
        DuetHttp bobHttp = new DuetHttp(http, "load-" + runId + "-" + index + "-b");
        Session ann = annHttp.signUp("load-" + runId + "-" + index + "-a@load.duet.invalid", PASSWORD, "Ann " + index);
        Session bob = bobHttp.signUp("load-" + runId + "-" + index + "-b@load.duet.invalid", PASSWORD, "Bob " + index);
        String code = annHttp.createInvite(ann.getToken()).getCode();
        Session bobPaired = bobHttp.acceptInvite(bob.getToken(), code);
        Session annPaired = annHttp.refreshSession(ann.getToken());
        couple.partners[0] = new Partner(couple, 0, annPaired);
        couple.partners[1] = new Partner(couple, 1, bobPaired);
        return couple;
    }

    /** Connects both phones through {@code tcp}, sharing {@code group}. */
    void connect(java.net.InetSocketAddress tcp, EventLoopGroup group, LoadRecorder recorder) throws Exception {
        for (Partner partner : partners) {
            partner.client = DuetClient.builder()
                    .server(tcp)
                    .token(partner.session.getToken())
                    .eventLoopGroup(group)
                    .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2))
                    .listener(partner.listener(recorder))
                    .build();
        }
        for (Partner partner : partners) {
            partner.client.connect().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        for (Partner partner : partners) {
            if (partner != null && partner.client != null) {
                partner.client.close();
            }
        }
    }

    /** One partner's phone. */
    static final class Partner {
        final SimulatedCouple couple;
        final int side;
        final Session session;
        DuetClient client;
        /** When this partner last toggled typing (micros since the run began), or -1; and to what. */
        final AtomicLong typingToggledMicros = new AtomicLong(-1);
        volatile boolean typing;

        Partner(SimulatedCouple couple, int side, Session session) {
            this.couple = couple;
            this.side = side;
            this.session = session;
        }

        Partner other() {
            return couple.partners[1 - side];
        }

        private DuetListener listener(LoadRecorder recorder) {
            long self = session.getUserId();
            return new DuetListener() {
                @Override
                public void onMessage(Message message) {
                    if (message.getSenderId() != self) {
                        recorder.delivered(TextMix.scheduledMicros(message.getText()));
                    }
                }

                @Override
                public void onPartnerTyping(boolean partnerTyping) {
                    Partner typist = other();
                    long toggled = typist.typingToggledMicros.get();
                    if (toggled >= 0 && partnerTyping == typist.typing
                            && typist.typingToggledMicros.compareAndSet(toggled, -1)) {
                        recorder.typingSeen(toggled);
                    }
                }
            };
        }
    }
}
