package io.duet.it;

import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.SupervisionSettings;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local cluster of one test class's own, for tests that stop or break processes: started before the
 * class's tests, closed after them. Register it as a static {@code @RegisterExtension} field.
 */
public final class PrivateCluster implements BeforeAllCallback, AfterAllCallback {
    private LocalCluster cluster;
    private boolean zookeeperFaultLinks;
    private SupervisionSettings supervision;
    private int presentationServerFileLimit;
    private final java.util.Map<String, String> applicationServerSettings = new java.util.LinkedHashMap<>();

    /** Puts a fault link between each application server and ZooKeeper ({@link LocalCluster#zookeeperLink}). */
    public PrivateCluster withZookeeperFaultLinks() {
        this.zookeeperFaultLinks = true;
        return this;
    }

    /** Restarts nodes that die unasked ({@link LocalCluster.Builder#supervise}). */
    public PrivateCluster withSupervision(SupervisionSettings settings) {
        this.supervision = settings;
        return this;
    }

    /** Runs the presentation servers with at most {@code limit} open files. */
    public PrivateCluster withPresentationServerFileLimit(int limit) {
        this.presentationServerFileLimit = limit;
        return this;
    }

    /** Adds a setting to every application server ({@link LocalCluster.Builder#applicationServerSetting}). */
    public PrivateCluster withApplicationServerSetting(String key, String value) {
        applicationServerSettings.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        LocalCluster.Builder builder = LocalCluster.builder().applicationServers(2).presentationServers(2)
                .zookeeperFaultLinks(zookeeperFaultLinks).supervise(supervision)
                .presentationServerFileLimit(presentationServerFileLimit);
        applicationServerSettings.forEach(builder::applicationServerSetting);
        String keep = System.getProperty("duet.it.keep-data");
        if (keep != null) {
            // -Dduet.it.keep-data=DIR keeps each class's cluster data and logs in DIR/<class> for a post-mortem.
            builder.dataDir(java.nio.file.Path.of(keep, context.getRequiredTestClass().getSimpleName()));
        }
        cluster = builder.build();
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
