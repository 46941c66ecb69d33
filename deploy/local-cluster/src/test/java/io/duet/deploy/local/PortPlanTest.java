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
        Set<Integer> ports = new HashSet<>(List.of(plan.zookeeper, plan.endpointTcp, plan.endpointHttp));
        ports.addAll(plan.presentationTcp);
        ports.addAll(plan.presentationHttp);
        ports.addAll(plan.presentationAdmin);
        assertThat(ports).hasSize(12).allSatisfy(port -> assertThat(port).isBetween(10_000, 32_767));

        PortPlan again = PortPlan.load(file, 0, 3);
        assertThat(again.zookeeper).isEqualTo(plan.zookeeper);
        assertThat(again.presentationTcp).isEqualTo(plan.presentationTcp);
        assertThat(again.presentationAdmin).isEqualTo(plan.presentationAdmin);
        assertThat(again.endpointTcp).isEqualTo(plan.endpointTcp);
    }

    @Test
    void fixedPortsFollowTheBasePortAndAnOlderPlanGainsTheNewKeysOnly() throws Exception {
        Path file = Files.createTempDirectory("duet-ports-").resolve("ports.properties");
        Files.write(file, List.of("zookeeper=7400", "presentation-1.tcp=7410", "presentation-1.http=7420"));
        PortPlan plan = PortPlan.load(file, 7400, 2);
        assertThat(plan.zookeeper).isEqualTo(7400);
        assertThat(plan.endpointTcp).isEqualTo(7401);
        assertThat(plan.endpointHttp).isEqualTo(7402);
        assertThat(plan.presentationTcp).containsExactly(7410, 7411);
        assertThat(plan.presentationHttp).containsExactly(7420, 7421);
        assertThat(plan.presentationAdmin).containsExactly(7430, 7431);
    }
}
