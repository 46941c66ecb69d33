/**
 * Standalone HBase for the local cluster: {@link io.duet.deploy.hbase.StandaloneHBase} is the main
 * class of the HBase process that {@code LocalCluster} starts.
 */
package io.duet.deploy.hbase;
