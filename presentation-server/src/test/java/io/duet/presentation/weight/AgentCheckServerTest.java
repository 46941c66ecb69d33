package io.duet.presentation.weight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AgentCheckServerTest {
    @Test
    void answersEachConnectionOverTcpLikeHaproxysAgentExpects() throws Exception {
        AtomicInteger percent = new AtomicInteger(90);
        try (AgentCheckServer agent = new AgentCheckServer(WeightSettings.builder().agentPort(0).build(),
                () -> Weights.agentReply(false, percent.get()))) {
            agent.start();
            assertThat(agent.readyInfo()).containsEntry("agent.host", "127.0.0.1")
                    .containsEntry("agent.port", Integer.toString(agent.address().getPort()));
            assertThat(ask(agent)).isEqualTo("ready 90%\n");
            percent.set(35);
            assertThat(ask(agent)).isEqualTo("ready 35%\n");
            agent.close();
            agent.close(); // idempotent
        }
    }

    /** Connects, reads until the agent closes, as HAProxy does. */
    private static String ask(AgentCheckServer agent) throws IOException {
        try (Socket socket = new Socket(agent.address().getAddress(), agent.address().getPort())) {
            socket.setSoTimeout((int) Duration.ofSeconds(5).toMillis());
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
