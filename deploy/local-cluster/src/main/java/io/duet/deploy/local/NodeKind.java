package io.duet.deploy.local;

/** The kinds of process in a local cluster, in the order they start. */
public enum NodeKind {
    ZOOKEEPER,
    HBASE,
    APPLICATION_SERVER,
    PRESENTATION_SERVER,
    /** HAProxy, the client endpoint in front of the presentation servers. */
    LOAD_BALANCER
}
