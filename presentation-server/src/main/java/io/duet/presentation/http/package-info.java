/**
 * The HTTP API: every client API service over {@code POST /api/v1/<service>}, speaking Thrift's
 * standard HTTP transport so that a stock generated client on any platform ({@code THttpClient} with
 * the binary, compact or JSON protocol) can call it. {@link io.duet.presentation.http.HttpApiHandler}
 * documents the URLs, content types and status codes; {@link io.duet.presentation.http.ClientAddress}
 * says which address a request is from behind a load balancer.
 */
package io.duet.presentation.http;
