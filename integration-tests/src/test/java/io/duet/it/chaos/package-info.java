/**
 * Fault tests under live load: {@link io.duet.it.chaos.ChatLoad} drives several couples and logs every
 * send, a test injects faults through the local cluster ({@code kill -9}, SIGSTOP, ...), and {@link
 * io.duet.it.chaos.ChaosChecker} proves the guarantees afterwards from the log and HBase. Start reading
 * at {@link io.duet.it.chaos.FailoverIT}.
 */
package io.duet.it.chaos;
