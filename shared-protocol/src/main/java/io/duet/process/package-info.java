/**
 * Process plumbing shared by every Duet main class: the ready file a supervisor (the local cluster
 * launcher) waits for, and exiting with the parent process so that no node outlives its launcher.
 */
package io.duet.process;
