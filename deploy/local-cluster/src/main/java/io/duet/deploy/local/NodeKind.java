package io.duet.deploy.local;

/** The kinds of process in a local cluster, in the order they start. */
public enum NodeKind {
    ZOOKEEPER,
    HBASE,
    /** S3Proxy, the S3 API for photos; starts beside HBase. */
    S3,
    APPLICATION_SERVER,
    PRESENTATION_SERVER,
    /** HAProxy, the client endpoint in front of the presentation servers. */
    LOAD_BALANCER
}
