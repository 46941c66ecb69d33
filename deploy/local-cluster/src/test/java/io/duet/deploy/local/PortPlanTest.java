package io.duet.deploy.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortPlanTest {
    @Test
    void freePortsAreDistinctBelowTheEphemeralRangeAndKeptAcrossLoads() throws Exception {
        Path file = Files.createTempDirectory("duet-ports-").resolve("ports.properties");
        PortPlan plan = PortPlan.load(file, 0, 3);
        Set<Integer> ports = new HashSet<>(List.of(plan.zookeeper));
        ports.addAll(plan.presentationTcp);
        ports.addAll(plan.presentationHttp);
        assertThat(ports).hasSize(7).allSatisfy(port -> assertThat(port).isBetween(10_000, 32_767));

        PortPlan again = PortPlan.load(file, 0, 3);
        assertThat(again.zookeeper).isEqualTo(plan.zookeeper);
        assertThat(again.presentationTcp).isEqualTo(plan.presentationTcp);
    }
}
