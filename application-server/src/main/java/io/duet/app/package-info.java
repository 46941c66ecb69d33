/**
 * The application server's process. {@link io.duet.app.ApplicationServer} is its lifecycle: it builds the
 * parts of the packages below from the settings, wires them together, starts them in order and shuts them
 * down in two phases ({@link io.duet.app.ApplicationServerMain} runs it). Its part in the cluster is {@code
 * cluster}'s {@link io.duet.app.cluster.ClusterMember}, the couples are {@code couple}'s, the relay port is
 * {@code relay}'s; {@link io.duet.app.StartUpWarmUp} is what it does before joining; {@link io.duet.app.ApplicationMetrics} and {@link io.duet.app.ApplicationStatus} are what
 * its admin port shows.
 */
package io.duet.app;
