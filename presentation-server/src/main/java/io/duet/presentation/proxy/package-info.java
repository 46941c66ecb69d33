/**
 * The PROXY protocol (v2) on the client TCP port: which client a trusted load balancer's connection
 * carries. Start at {@link io.duet.presentation.proxy.ProxyProtocol}: {@code wrap} puts the header's
 * handlers in front of the port's pipeline, and {@code clientAddress} is the address the session code
 * rate-limits, routes and logs by.
 */
package io.duet.presentation.proxy;
