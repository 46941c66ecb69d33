/**
 * Client TCP sessions. {@link io.duet.presentation.session.ClientTcpInitializer} wires one handler per
 * concern: framing with hard limits, {@link io.duet.presentation.session.ClientSilence} noticing a client
 * that stopped sending (first {@link io.duet.presentation.session.ClientQuiet}: no longer counted as a
 * connected device for pushes; then the idle timeout), {@link io.duet.presentation.session.AuthHandler} for
 * the first frame (and, before it, the account calls that make a token: {@link
 * io.duet.presentation.session.AccountCallsBeforeAuth}), {@link io.duet.presentation.session.TokenLifetimeHandler} ending the session when its token
 * expires or is revoked, {@link io.duet.presentation.session.SessionRelayHandler} relaying calls and events over one
 * stream (re-routed, without dropping the client, when the couple moves; its replays paced by {@link
 * io.duet.presentation.session.EventCredit}), and {@link
 * io.duet.presentation.session.ClientErrorHandler}, the one place where failures become the client's
 * {@code SessionError}. A server keeps tens of thousands of idle sessions, so what each holds counts
 * ({@code bin/duet-connections} measures it): stateless handlers are shared, and nothing is allocated
 * before it is needed.
 */
package io.duet.presentation.session;
