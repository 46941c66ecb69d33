/**
 * The local cluster: real ZooKeeper, real standalone HBase, S3Proxy for the photos (optional:
 * {@link io.duet.deploy.local.LocalClusterBuilder#s3(boolean)}), and Duet's application and presentation
 * servers, each a separate process on 127.0.0.1, behind HAProxy as the one client endpoint
 * ({@link io.duet.deploy.local.LocalCluster#clientEndpoint()}; its configuration: {@code HaproxyConfig}).
 * {@link io.duet.deploy.local.LocalCluster} is the Java
 * API (the integration tests use it to kill -9, pause or restart any single process);
 * {@link io.duet.deploy.local.LocalClusterMain} is the {@code bin/local-cluster} command. {@code Supervisor}
 * restarts nodes that die unasked, by {@link io.duet.deploy.local.SupervisionSettings}.
 */
package io.duet.deploy.local;
