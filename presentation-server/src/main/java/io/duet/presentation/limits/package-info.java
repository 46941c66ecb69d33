/**
 * Connection limits of the client listeners: {@link io.duet.presentation.limits.ConnectionLimits} says
 * how many (derived from the process's file descriptor limit unless set), and {@link
 * io.duet.presentation.limits.ConnectionLimiter}, in each listening channel's pipeline, closes accepted
 * connections beyond them at once. Rate limits of calls are the application server's ({@code
 * io.duet.app.limits}).
 */
package io.duet.presentation.limits;
