/**
 * Fault tests under live load: {@link io.duet.it.chaos.ChatLoad} drives several couples and logs every
 * send, a test injects faults through the local cluster ({@code kill -9}, SIGSTOP, ...), and {@link
 * io.duet.it.chaos.ChaosChecker} proves the guarantees afterwards from the log and HBase. Start reading
 * at {@link io.duet.it.chaos.FailoverIT}. {@code Stalls} prints the per-request stall distribution of a phase;
 * {@code SessionLoss} cuts a server off ZooKeeper until its session is LOST and watches it drop its couples;
 * {@code RollingDeployIT} drains presentation servers ({@code ClientMoves} measures how their clients moved),
 * then runs {@code deploy/bin/rolling-deploy} itself under the load; {@code Suspicions}
 * and {@code FencedWrites} count the failure detector's suspicions and the fenced commits in the servers' logs
 * (through {@code ServerLogs}).
 */
package io.duet.it.chaos;
