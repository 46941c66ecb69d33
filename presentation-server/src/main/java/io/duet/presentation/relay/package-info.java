/**
 * The presentation server's side of the internal relay: a few multiplexed connections to every
 * application server, one per event loop ({@link io.duet.presentation.relay.AppLinks}), so that a client
 * channel and the relay link carrying its stream share a thread. {@link
 * io.duet.presentation.relay.RelayLink} owns one connection and its streams.
 */
package io.duet.presentation.relay;
