/**
 * The application server's end of the internal relay: presentation servers connect here and open
 * multiplexed streams, one per client TCP session or HTTP request, after a mutual TLS handshake that only
 * holders of the cluster CA's certificates pass. Start at {@link
 * io.duet.app.relay.RelayServerInitializer} for the pipeline, then {@link
 * io.duet.app.relay.RelayConnectionHandler}, which owns one connection's streams on its event loop.
 * {@link io.duet.app.relay.AppStream} is one stream, and keeps a session's flow-control credit.
 * {@link io.duet.app.relay.RelayWarmUp} is the other end of one link, the server's own, before it joins:
 * clients' calls into its warm-up couple, so that the first real calls find this path's code warm. Both
 * ends frame a link as presentation servers do, through {@link io.duet.protocol.relay.RelayLinkFraming}.
 */
package io.duet.app.relay;
