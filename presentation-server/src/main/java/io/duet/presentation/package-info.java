/**
 * The presentation server: stateless, asynchronous, behind one load-balancer endpoint. Start at
 * {@link io.duet.presentation.PresentationServer}, which wires the client TCP listener ({@code
 * session}), the HTTP listener ({@code http}), the routing table ({@code routing}) and the relay links
 * to application servers ({@code relay}).
 */
package io.duet.presentation;
