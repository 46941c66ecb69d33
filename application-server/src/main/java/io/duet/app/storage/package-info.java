/**
 * Everything Duet keeps in HBase, through the asynchronous client only. Start at {@link
 * io.duet.app.storage.HBaseSchema} for the tables and row layout (all of a couple's data in one row,
 * its owner epoch in a small column family of its own), then {@link io.duet.app.storage.CoupleStore},
 * where every write to a couple row is conditional on the writer's epoch; {@link
 * io.duet.app.storage.CommitBatcher} sends many couples' commits to HBase together, those of one region as one
 * atomic call with a condition per commit ({@link io.duet.app.storage.RegionCommits}); {@link
 * io.duet.app.storage.MessageArchive} keeps the row bounded: old messages move, a bucket per row, to the
 * archive table under the owner's fence, and reads find them wherever they are (docs/STORAGE.md); {@link
 * io.duet.app.storage.PhotoStore} keeps photos' metadata in rows of its own, one region per couple, written
 * as fenced multi-row writes ({@link io.duet.app.storage.PhotoRows} has the keys, {@link
 * io.duet.app.storage.PhotoMigration} moves an older release's photo cells out of the couple row); {@link
 * io.duet.app.storage.CoupleClosures} closes a couple row for good and purges it.
 *
 * <p>Apart from the couple's space, no stored value is read, changed and written back whole, so a server never erases what a newer
 * version stored: users, logins, invites, device sessions and couples keep one value per column, and every write puts or
 * deletes only the columns it names, leaving any column this version does not know as it was; a message
 * ({@code StoredMessage}, compact Thrift) is written by its commit and rewritten only by its sender's edit
 * or delete (with the couple's change log, {@code StoredChanges}). Those, the couple's space ({@link io.duet.app.storage.SpaceStore}: memos, calendar,
 * events) and photos' records (rewritten by a caption edit; moved as read by the migration), are the exceptions: rewritten whole, decoded and encoded keeping the fields this version does
 * not know. The archive mark ({@link io.duet.app.storage.ArchiveMark}) keeps the bytes a newer version
 * appended to it; a push token is deleted on the condition of the bytes read, not of the token encoded
 * again, and only up to the version read ({@link io.duet.app.storage.PushTokenStore}). {@code NewerColumnsIT} checks that a newer column
 * of a user, invite or session row survives this version's writes.
 */
package io.duet.app.storage;
