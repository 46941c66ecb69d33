/**
 * Draining a presentation server before it stops: out of rotation, every client asked to reconnect
 * through the endpoint, spread over a window, and the rest closed at a deadline. Start at {@link
 * io.duet.presentation.drain.Drain}; {@link io.duet.presentation.drain.DrainSpread} spaces the notices and
 * {@link io.duet.presentation.drain.DrainSettings} holds {@code drain.window} and {@code drain.deadline}.
 */
package io.duet.presentation.drain;
