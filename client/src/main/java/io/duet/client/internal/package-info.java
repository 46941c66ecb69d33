/**
 * The SDK's machinery: one client session, split along its seams, all of its state confined to one
 * Netty event loop (no locks; what the application may read from another thread is a plain or volatile
 * field read, and everything else it asks for hops onto the loop).
 *
 * <p>Start reading at {@link io.duet.client.internal.ClientSession}, the package's public entry (the other
 * public class, {@link io.duet.client.internal.EventCallbacks}, maps events to listener callbacks for the
 * HTTP feed too), which wires the parts and hands each request of {@link io.duet.client.DuetClient} to the one that owns
 * it. Then {@link io.duet.client.internal.SessionLifecycle}: connect, authenticate, subscribe (through
 * {@link io.duet.client.internal.Subscription}, which ignores a superseded subscribe and asks again after
 * a refusal for now, such as a couple moving between servers), the server's notices (the session moved;
 * a draining server asks it to reconnect elsewhere), losing the connection and reconnecting with
 * backoff, refusal and close. {@link io.duet.client.internal.ServerRefusals} says which refusals are for
 * now. Frames come in through a {@link
 * io.duet.client.internal.SessionHandler} per connection, wired by {@link
 * io.duet.client.internal.SessionChannelInitializer}. {@link io.duet.client.internal.SessionTransport}
 * holds the current channel and the calls made over it, which {@link io.duet.client.internal.CallTracker}
 * matches to their replies by sequence id.
 *
 * <p>The two halves of the chat: {@link io.duet.client.internal.SendPipeline} owns outgoing messages (the
 * order stream, transmission, retries and acknowledgement); {@link io.duet.client.internal.Delivery} owns
 * the events pushed back (exactly-once, in-order delivery, gaps, missing messages, typing, the partner
 * joining), and our own messages, which come from the replies to their sends (the session subscribes
 * with noEcho: the server does not push them back to it). {@link io.duet.client.internal.ListenerCallbacks} hands
 * everything to the application's listener on the callback thread, never on the loop; {@link
 * io.duet.client.internal.HandledCursors} are the cursors the app persists, moved only once the listener
 * returned.
 */
package io.duet.client.internal;
