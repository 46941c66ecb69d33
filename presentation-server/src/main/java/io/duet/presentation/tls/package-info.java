/**
 * TLS on the client TCP and HTTP ports, an option beside TLS at the load balancer. Start at {@link
 * io.duet.presentation.tls.ClientTls}, which the server wraps around each port's pipeline; {@link
 * io.duet.presentation.tls.ClientTlsSettings} lists the {@code client.tls.*} settings, {@link
 * io.duet.presentation.tls.TicketKeys} the session-ticket key file every server behind the endpoint shares
 * (so a client resumes on any of them), and {@code HandshakeGate} bounds the handshakes in flight against
 * the storm of a mass reconnect.
 */
package io.duet.presentation.tls;
