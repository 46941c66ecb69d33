/**
 * Process plumbing shared by every Duet main class: the ready file a supervisor (the local cluster
 * launcher) waits for, and exiting with the parent process so that no node outlives its launcher. The
 * servers' admin port (health and metrics over HTTP) is in {@link io.duet.process.admin}.
 */
package io.duet.process;
