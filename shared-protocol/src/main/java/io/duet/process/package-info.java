/**
 * Process plumbing shared by every Duet main class: the ready file a supervisor (the local cluster
 * launcher) waits for, exiting with the parent process so that no node outlives its launcher
 * ({@link io.duet.process.ParentWatch}), and keeping a listener up when it cannot accept, such as when
 * file descriptors run out ({@link io.duet.process.AcceptErrorHandler}). {@link io.duet.process.ProcStat}
 * reads a process's state and CPU time from {@code /proc} (the parent watch and the load generator use it). The
 * servers' admin port (health and metrics over HTTP) is in {@link io.duet.process.admin}.
 */
package io.duet.process;
