/**
 * The client API's Thrift services, bound to each call's caller: thin adapters from the generated
 * {@code AsyncIface}s to {@link io.duet.app.account.Accounts}, {@link io.duet.app.pairing.Pairings}, the
 * couple actors, {@link io.duet.app.photo.Photos} and {@link io.duet.app.push.Pushes} (devices' push
 * tokens), each asking {@link io.duet.app.limits.RateLimiter} first (memos and the calendar are bounded
 * per couple instead: its queue of space calls and its space limits). {@link
 * io.duet.app.api.ApiServices} lists them for the dispatcher, with who may call what. A send's short forms
 * are read back here before anything else sees them: its client message id as bytes ({@code ClientMessageIds})
 * and its order stream named once per session ({@code DeclaredOrderStreams}).
 */
package io.duet.app.api;
