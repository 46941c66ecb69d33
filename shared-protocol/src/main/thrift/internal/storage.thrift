/*
 * Values stored in HBase cells by application servers. A message is written by
 * its commit, and rewritten only by its sender's edit or delete, which keeps
 * the fields it does not know (like the couple's space below), so a newer
 * server's fields survive an older one's edit during a rolling deploy.
 */
namespace java io.duet.protocol.storage
namespace py duet.internal.storage

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
  /**
   * The instance id of the application server that committed it (server id @ start time), the same for
   * the whole batch. Each fence value, and each shard epoch, has exactly one writer: with the fence,
   * the record that proves it. Absent in messages written before it existed.
   */
  8: optional string writerInstance,
  /** Kind PHOTO: the photo's id. */
  9: optional string photoId,
  /** Kind STICKER: the sticker's pack and id. */
  10: optional string stickerPackId,
  11: optional string stickerId,
  /** Raised by one by each edit and by the delete; absent: 0. */
  12: optional i64 version,
  13: optional i64 editedAtMillis,
  /**
   * A tombstone: kind is 0, and text, photoId and the sticker are cleared. Fields this version does
   * not know are kept by its delete, so readers must show nothing of a deleted message but the
   * tombstone's own fields.
   */
  14: optional bool deleted,
  15: optional i64 deletedAtMillis,
  /** The fence value of the owner that wrote the last edit or delete (fence stays the commit's). */
  16: optional i64 changeFence,
}

/*
 * The couple's space (column family p of its row). Unlike messages these records are read, changed and
 * written back, always whole and keeping the fields this version does not know (ThriftCodec's
 * decodeKeepingUnknown and encodeKeepingUnknown), so a newer server's fields survive an older one's edit.
 */

/** One memo; its id is in the cell's qualifier. */
struct StoredMemo {
  1: string title,
  2: string text,
  3: i64 version,
  4: i64 createdBy,
  5: i64 createdAtMillis,
  6: i64 updatedBy,
  7: i64 updatedAtMillis,
  /** The fence value of the owner that wrote it last. */
  8: optional i64 fence,
  /** CreateMemoRequest.clientMemoId: a retried create of createdBy's with this id returns this memo. */
  9: optional string clientMemoId,
}

/** The couple's start date and time zone. */
struct StoredCalendar {
  /** ISO-8601 date. */
  1: optional string startDate,
  /** IANA zone id. */
  2: optional string timeZone,
  3: optional i64 fence,
}

/** One birthday or custom event; its id is in the cell's qualifier. */
struct StoredEvent {
  1: i32 kind,
  2: string title,
  /** ISO-8601 date of the first occurrence. */
  3: string date,
  4: bool repeatsYearly,
  5: optional i64 person,
  6: i64 createdBy,
  7: i64 createdAtMillis,
  8: optional i64 fence,
}

/** Both partners' read marks: how far each has read. One cell, so marks in a burst cost one write. */
struct StoredReadMarks {
  /** User id to the highest sequence number that user has read. */
  1: optional map<i64, i64> readUpTo,
  2: optional i64 fence,
}

/** One photo's metadata; its id is in the cell's qualifier. The objects are in S3 under random keys. */
struct StoredPhoto {
  1: i32 width,
  2: i32 height,
  3: optional i64 takenAtMillis,
  4: i64 uploadedBy,
  5: i64 uploadedAtMillis,
  6: optional string caption,
  7: string contentType,
  8: i64 sizeBytes,
  /** Object keys by variant (PhotoVariant's value). */
  9: map<i32, string> objectKeys,
  /** Content type by variant, where it differs from contentType. */
  10: optional map<i32, string> variantTypes,
  11: optional i64 fence,
}

/** What each partner calls the other: one cell, written under the fence like memos. */
struct StoredNicknames {
  /** User id to the nickname that user gave the partner. */
  1: optional map<i64, string> nicknames,
  2: optional i64 fence,
}

/**
 * A device's push token: users row, family u, qualifier "t:" + device id. Written whole by each
 * registration (nothing is read and written back), deleted when the device unregisters or the platform
 * reports the token invalid (only if it is still this token).
 */
struct StoredPushToken {
  /** api.PushPlatform's value: 1 APNS, 2 FCM. */
  1: i32 platform,
  2: string token,
  3: i64 registeredAtMillis,
}

/**
 * A couple's change log: its newest edits and deletes of messages, by change number. Written with each
 * change, under the owner's fence, in the same write as the message (see docs/STORAGE.md).
 */
struct StoredChanges {
  /** The newest change number; 0 for none. Change numbers count from 1, one per change, never reused. */
  1: i64 lastChange,
  /** The sequence numbers of the messages changed by changes lastChange - size + 1 .. lastChange, oldest first. */
  2: list<i64> seqs,
  3: optional i64 fence,
}
