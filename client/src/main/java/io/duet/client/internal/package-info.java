/**
 * The SDK's machinery: {@link io.duet.client.internal.ClientSession} is the session's state machine,
 * confined to one Netty event loop; {@link io.duet.client.internal.CallTracker} matches replies to
 * calls by sequence id.
 */
package io.duet.client.internal;
