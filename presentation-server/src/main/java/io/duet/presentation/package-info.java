/**
 * The presentation server: stateless, asynchronous, behind one load-balancer endpoint. Start at
 * {@link io.duet.presentation.PresentationServer}, which wires the client TCP listener ({@code
 * session}), the HTTP listener ({@code http}), the routing table ({@code routing}), the relay links
 * to application servers ({@code relay}), the drain that moves clients away before it stops ({@code
 * drain}), the connection caps of both client listeners ({@code limits}) and their optional TLS
 * ({@code tls}).
 */
package io.duet.presentation;
