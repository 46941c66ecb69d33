/*
 * Duet client API v1: the couple's photos. TCP sessions, and HTTP at POST /api/v1/photo.
 *
 * The bytes of a photo never travel in a Thrift call: they go over HTTP straight to the object store
 * (S3), with a URL the server signed. Uploading is three steps, the same for TCP and HTTP clients:
 *  1. createUpload (declares the size) returns a PhotoUpload: a presigned PUT URL valid for minutes;
 *  2. the client PUTs exactly sizeBytes bytes to uploadUrl, with the headers in headers;
 *  3. finishUpload checks the bytes (size; a JPEG, PNG or WebP image by its content, whatever the headers
 *     said; dimensions read from the header before anything is decoded), makes the variants (orientation
 *     applied, every metadata field dropped, location included), stores the photo's metadata with the
 *     couple's data, and posts a photo message to the chat.
 * Downloads are presigned GET URLs too (getPhotoUrl, or getPhotoUrls for a screenful), valid for minutes.
 */
include "common.thrift"

namespace java io.duet.protocol.api
namespace py duet.api.photo

/** A photo's id: 32 hexadecimal digits (128 random bits). */
typedef string PhotoId

/** The stored sizes of a photo; each is re-encoded from the pixels, without metadata. */
enum PhotoVariant {
  /** The long edge at most 4,096 pixels (the original size when smaller). */
  FULL = 1,
  /** The long edge at most 1,600 pixels, for a phone's screen. */
  SCREEN = 2,
  /** The long edge at most 320 pixels, for lists and chat bubbles. */
  THUMBNAIL = 3,
}

struct Photo {
  1: PhotoId photoId,
  /** Of the FULL variant, orientation applied. */
  2: i32 width,
  3: i32 height,
  /** When it was taken, from the image's EXIF data (read as UTC); absent if it has none. */
  4: optional i64 takenAtMillis,
  5: common.UserId uploadedBy,
  6: i64 uploadedAtMillis,
  7: optional string caption,
  /** The FULL variant's type: image/jpeg, or image/png for images with transparency. */
  8: string contentType,
  /** The FULL variant's size in bytes. */
  9: i64 sizeBytes,
  /** finishUpload's result only: the sequence number of the photo message that announced it. */
  10: optional common.Seq messageSeq,
}

struct CreateUploadRequest {
  /** The exact number of bytes that will be PUT; at most the server's limit (20 MiB by default). */
  1: i64 sizeBytes,
}

/** Where to PUT the photo's bytes, and until when. */
struct PhotoUpload {
  /** Names the upload in finishUpload. */
  1: string uploadId,
  2: string uploadUrl,
  /** Headers to send with the PUT besides Host and Content-Length (which must be sizeBytes). */
  3: map<string, string> headers,
  4: i64 expiresAtMillis,
  /** The most bytes a photo may have. */
  5: i64 maxBytes,
}

/**
 * The photo's id is the upload's: a retry whose first attempt succeeded (its reply lost) answers with the
 * same photo, and its message is posted once.
 */
struct FinishUploadRequest {
  1: string uploadId,
  /** At most 1,000 characters. */
  2: optional string caption,
}

struct GetPhotoRequest {
  1: PhotoId photoId,
}

struct ListPhotosRequest {
  /** At most this many (1 to 500; 100 when absent). */
  1: optional i32 limit,
  /** The previous page's nextCursor; absent for the newest photos. */
  2: optional string cursor,
}

struct PhotoList {
  /** Newest first. */
  1: list<Photo> photos,
  /** Set when older photos follow: the next call's cursor. */
  2: optional string nextCursor,
}

struct GetPhotoUrlRequest {
  1: PhotoId photoId,
  /** FULL when absent. */
  2: optional PhotoVariant variant,
}

struct PhotoUrl {
  /** A presigned GET URL. */
  1: string url,
  2: i64 expiresAtMillis,
  3: string contentType,
}

/** The most photos one getPhotoUrls call may name. */
const i32 MAX_PHOTO_URLS = 100

struct GetPhotoUrlsRequest {
  /** 1 to MAX_PHOTO_URLS photos (each FULL when its variant is absent); one photo may appear more than once. */
  1: list<GetPhotoUrlRequest> photos,
}

/** One photo's answer in a PhotoUrls. */
struct PhotoUrlEntry {
  1: PhotoId photoId,
  2: PhotoVariant variant,
  /** Set when the photo is the caller's couple's and has the variant. */
  3: optional PhotoUrl url,
  /** Set instead of url: NOT_FOUND (not the caller's couple's photo, deleted, or without that variant). */
  4: optional common.ErrorCode errorCode,
}

struct PhotoUrls {
  /** One entry per requested photo, in the request's order. */
  1: list<PhotoUrlEntry> entries,
}

struct DeletePhotoRequest {
  1: PhotoId photoId,
}

struct DeletePhotoResult {
}

/**
 * A photo id or upload id that is not the caller's couple's (never made, deleted, or another couple's)
 * gets NOT_FOUND. Bad bytes get INVALID_ARGUMENT with the reason: too large, not a JPEG, PNG or WebP
 * image, or declaring more pixels than the server decodes (an image bomb). A couple keeps at most
 * 20,000 photos by default: one more gets LIMIT_REACHED.
 */
service PhotoService {
  PhotoUpload createUpload(1: CreateUploadRequest request) throws (1: common.DuetError error),

  Photo finishUpload(1: FinishUploadRequest request) throws (1: common.DuetError error),

  Photo getPhoto(1: GetPhotoRequest request) throws (1: common.DuetError error),

  PhotoList listPhotos(1: ListPhotosRequest request) throws (1: common.DuetError error),

  PhotoUrl getPhotoUrl(1: GetPhotoUrlRequest request) throws (1: common.DuetError error),

  /**
   * Download URLs of many photos in one call (a screen of thumbnails): a photo that is not found gets its
   * own NOT_FOUND entry, not an error of the call. More than MAX_PHOTO_URLS photos, or none, get
   * INVALID_ARGUMENT. Counted by photo.per-device as one call per started 25 photos.
   */
  PhotoUrls getPhotoUrls(1: GetPhotoUrlsRequest request) throws (1: common.DuetError error),

  DeletePhotoResult deletePhoto(1: DeletePhotoRequest request) throws (1: common.DuetError error),
}
