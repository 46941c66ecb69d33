/**
 * Couples in memory. Each loaded couple is one {@link io.duet.app.couple.CoupleActor}: its state changes
 * only on the actor's own serial executor, never under locks. {@link io.duet.app.couple.CoupleRegistry}
 * creates actors for the shards this server owns and drops them when a shard moves away; before the server
 * joins, it also serves the server's own warm-up couple ({@link io.duet.app.couple.CoupleWarmUp}) to the
 * {@link io.duet.app.couple.WarmUpCalls} made into it, and only to them. Start reading
 * at the actor, which owns the couple's lifecycle and hands each operation to one of its parts. The parts
 * that write the couple's row share the actor's {@link io.duet.app.couple.FencedWriter}: its fence, whether
 * it may write now, and what a failed write does (the couple unloads); each part tells it when an HBase call
 * ends, so that a closed couple leaves the registry ({@link io.duet.app.couple.Retirement}, bounded by the
 * retire timeout) and can be loaded again.
 * <ul>
 *   <li>{@link io.duet.app.couple.SendPipeline}: deduplication by (sender, client message id), per-sender
 *       order ({@link io.duet.app.couple.OrderStream}, one per order stream of a sender) and group commit
 *       of {@link io.duet.app.couple.PendingSend}s (text and sticker messages, and the photo messages that
 *       {@code io.duet.app.photo.Photos} posts);
 *   <li>{@link io.duet.app.couple.MessageChanges}: changes of committed messages, in two parts:
 *       {@link io.duet.app.couple.MessageEdits}, the sender's edits and deletes (tombstones keep their
 *       sequence numbers), one at a time under the owner's fence, by the rules of {@link
 *       io.duet.app.couple.MessageChange}; and {@link io.duet.app.couple.CoupleArchiving}, moving old
 *       messages out of the couple row to the archive, a bucket per turn of the server's {@link
 *       io.duet.app.couple.ArchiveMoves}, between the edits;
 *   <li>{@link io.duet.app.couple.Delivery}: attached sessions, catch-up and live events (never a message
 *       to the session its send was acknowledged to: the reply is that session's copy). A session that
 *       subscribes is caught up by a replay paced by the client's flow-control credit, read from HBase in
 *       pages within the server-wide bounds of {@link io.duet.app.couple.CatchUpReads}, which also counts
 *       the reads in flight and held back, and committed ranges found missing;
 *   <li>{@link io.duet.app.couple.Typing}, and the {@link io.duet.app.couple.CoupleLog} of committed
 *       messages the others share (history pages cover a {@link io.duet.app.couple.HistoryRange}, read by
 *       {@link io.duet.app.couple.HistoryReads} within catch-up's bounds, lost messages reported);
 *   <li>{@link io.duet.app.couple.CoupleReadState}: both partners' {@link io.duet.app.couple.ReadMarks},
 *       moved forward only, written coalesced under the owner's fence, read right after the couple's claim,
 *       and unread counts;
 *   <li>{@link io.duet.app.couple.OfflineNotifier}: told of committed messages whose recipient has no live
 *       session attached (none, or only quiet ones: {@link io.duet.app.couple.SessionStream#isClientQuiet()}),
 *       to push them ({@code io.duet.app.push}), by {@link io.duet.app.couple.OfflinePushes};
 *   <li>{@link io.duet.app.couple.ParkedPolls}: HTTP long polls ({@code subscribe} over HTTP) waiting for
 *       the couple's next commit, within the server-wide bounds of {@link io.duet.app.couple.LongPolls};
 *   <li>{@link io.duet.app.couple.EventFeed}: {@code FeedService.pollEvents}, every event the couple's
 *       sessions are pushed, by polling: the newest from the couple's {@link io.duet.app.couple.EventRing}
 *       (memory, numbered, bounded), messages and changes from storage when the ring cannot carry on from
 *       the poller's cursors;
 *   <li>{@link io.duet.app.couple.CoupleSpace}: memos, the calendar and photos' metadata ({@link
 *       io.duet.app.space}), loaded on first use (photos read row by row, after the first photo call of a
 *       load claimed and, for an older release's row, moved them) and changed one {@link
 *       io.duet.app.couple.SpaceCall} at a time; a photo's caption follows its PHOTO message's edit.
 * </ul>
 */
package io.duet.app.couple;
