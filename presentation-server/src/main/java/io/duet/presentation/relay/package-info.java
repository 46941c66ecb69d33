/**
 * The presentation server's side of the internal relay: a few multiplexed connections to every
 * application server, one per event loop ({@link io.duet.presentation.relay.AppLinks}), so that a client
 * channel and the relay link carrying its stream share a thread. {@link
 * io.duet.presentation.relay.RelayLink} owns one connection and its streams. {@link
 * io.duet.presentation.relay.AppServerDirectory} decides which servers to keep links to: members too,
 * before the shard map gives them anything, and reopens closed links. {@link
 * io.duet.presentation.relay.RelayHealth} says, for {@code /ready}, whether any link to a server of the
 * shard map is up. A connect refused by a server's relay endpoint is crash evidence, reported to
 * ZooKeeper through {@link io.duet.protocol.cluster.RefusalReports} ({@code LinkEvents} is how links tell
 * {@code AppLinks}). Links are mutual TLS ({@link io.duet.security.RelayTls}) unless
 * {@code relay.tls.enabled=false}; a link's framing is {@link io.duet.protocol.relay.RelayLinkFraming}'s, shared
 * with the application server's end.
 */
package io.duet.presentation.relay;
