/**
 * The relay protocol between presentation and application servers: the records generated from
 * relay.thrift ({@link io.duet.protocol.relay.RelayFrame} and its parts), how a link is framed at either end
 * ({@link io.duet.protocol.relay.RelayLinkFraming}: start there), and {@link
 * io.duet.protocol.relay.RelayFrameCodec}, which turns frames into relay records and back.
 */
package io.duet.protocol.relay;
