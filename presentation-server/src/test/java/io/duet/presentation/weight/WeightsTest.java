package io.duet.presentation.weight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WeightsTest {
    @Test
    void anEmptyIdleServerHasFullWeight() {
        assertThat(Weights.percent(0, 0.0, 1000, 10)).isEqualTo(100);
    }

    @Test
    void sessionsTakeRoomInProportionToCapacity() {
        assertThat(Weights.percent(250, 0.0, 1000, 10)).isEqualTo(75);
        assertThat(Weights.percent(500, 0.0, 1000, 10)).isEqualTo(50);
    }

    @Test
    void cpuLoadTakesRoomToo() {
        assertThat(Weights.percent(0, 0.4, 1000, 10)).isEqualTo(60);
    }

    @Test
    void whicheverRunsOutFirstGoverns() {
        assertThat(Weights.percent(100, 0.7, 1000, 10)).as("CPU at 70%, sessions at 10%").isEqualTo(30);
        assertThat(Weights.percent(700, 0.1, 1000, 10)).as("sessions at 70%, CPU at 10%").isEqualTo(30);
    }

    @Test
    void aFullOrBusyServerKeepsTheFloor() {
        assertThat(Weights.percent(950, 0.0, 1000, 10)).isEqualTo(10);
        assertThat(Weights.percent(1000, 0.0, 1000, 10)).isEqualTo(10);
        assertThat(Weights.percent(5000, 0.0, 1000, 10)).as("over capacity").isEqualTo(10);
        assertThat(Weights.percent(0, 1.0, 1000, 25)).isEqualTo(25);
    }

    @Test
    void anUnknownOrOutOfRangeCpuLoadCountsAsIdleOrFull() {
        assertThat(Weights.percent(0, -1, 1000, 10)).isEqualTo(100);
        assertThat(Weights.percent(0, Double.NaN, 1000, 10)).isEqualTo(100);
        assertThat(Weights.percent(0, 1.5, 1000, 10)).isEqualTo(10);
    }

    @Test
    void aCapacityOfNothingIsRefused() {
        assertThatThrownBy(() -> Weights.percent(0, 0, 0, 10)).hasMessage("capacity: 0 (expected: > 0)");
    }

    @Test
    void theAgentSaysReadyWithTheWeightOrDrain() {
        assertThat(Weights.agentReply(false, 75)).isEqualTo("ready 75%\n");
        assertThat(Weights.agentReply(true, 75)).isEqualTo("drain\n");
    }

    @Test
    void smoothingMovesPartOfTheWayTowardsEachSample() {
        Duration second = Duration.ofSeconds(1);
        Duration window = Duration.ofSeconds(10);
        double alpha = 1 - Math.exp(-0.1);
        assertThat(Weights.smooth(-1, 0.8, second, window)).as("the first sample is taken as it is").isEqualTo(0.8);
        assertThat(Weights.smooth(0.0, 1.0, second, window)).isCloseTo(alpha, within(1e-9));
        assertThat(Weights.smooth(0.5, -1, second, window)).as("an unknown sample changes nothing").isEqualTo(0.5);
        double load = 0;
        for (int i = 0; i < 10; i++) {
            load = Weights.smooth(load, 1.0, second, window);
        }
        assertThat(load).as("a window's worth of full load: 1 - 1/e").isCloseTo(1 - Math.exp(-1), within(1e-9));
    }
}
