/**
 * The length-prefixed, optionally snappy-compressed frames that carry everything on Duet's TCP
 * connections: between a client and a presentation server, and (as {@link FrameType#RELAY} frames)
 * between a presentation and an application server.
 *
 * <p>Start with {@link io.duet.protocol.frame.FrameType}, which documents the layout, then
 * {@link io.duet.protocol.frame.FrameDecoder}: every size is checked against
 * {@link io.duet.protocol.frame.FrameLimits} before anything is allocated, and every violation is a
 * typed {@link io.duet.protocol.frame.FrameException}.
 */
package io.duet.protocol.frame;
