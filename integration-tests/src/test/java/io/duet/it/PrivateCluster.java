package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local cluster of one test class's own, for tests that stop or break processes: started before the
 * class's tests, closed after them. Register it as a static {@code @RegisterExtension} field.
 */
public final class PrivateCluster implements BeforeAllCallback, AfterAllCallback {
    private LocalCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = LocalCluster.builder().applicationServers(2).presentationServers(2).build();
        cluster.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    public LocalCluster get() {
        return cluster;
    }
}
