/**
 * What this presentation server tells the rest of the cluster about itself, for operators: {@link
 * io.duet.presentation.status.PresenterRegistration} keeps its record (sessions, readiness, drain) in
 * ZooKeeper, which every server's status page ({@code GET /status} on the admin port) lists.
 */
package io.duet.presentation.status;
