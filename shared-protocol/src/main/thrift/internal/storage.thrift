/*
 * Values stored in HBase cells by application servers. Written once, never
 * read-modified-written, so a server that does not know a newer field cannot
 * drop it during a rolling deploy.
 */
namespace java io.duet.protocol.storage

/** One chat message; its sequence number is the cell's qualifier. */
struct StoredMessage {
  1: string clientMessageId,
  2: i64 senderId,
  3: string senderDeviceId,
  4: i64 sentAtMillis,
  5: i32 kind,
  6: string text,
  /**
   * The fence value of the owner that committed it. Along a couple's sequence it never decreases:
   * the record that only one owner's writes were accepted at any moment.
   */
  7: optional i64 fence,
}
