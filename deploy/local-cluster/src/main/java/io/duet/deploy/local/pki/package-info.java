/**
 * The local cluster's own certificate authority: {@link io.duet.deploy.local.pki.ClusterCa} makes a CA at
 * first start and signs one certificate per node, as PEM files a production deployment would get from its
 * own PKI. The servers read them through the {@code relay.tls.*} settings ({@code io.duet.security.RelayTls}).
 */
package io.duet.deploy.local.pki;
