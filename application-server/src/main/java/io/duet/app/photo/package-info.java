/**
 * The couple's photos in S3. Start with {@link io.duet.app.photo.Photos}: uploads by presigned PUT, checked
 * and turned into variants by {@link io.duet.app.photo.PhotoProcessor} (format sniffed by
 * {@link io.duet.app.photo.ImageFormat}), downloads by presigned GET, deletes, the sweep of abandoned uploads
 * ({@link io.duet.app.photo.AbandonedUploads}) and a closed couple's objects. The metadata lives with the
 * couple's data ({@link io.duet.app.space.PhotoBook}); the bucket's settings are {@link io.duet.app.photo.S3Settings}.
 */
package io.duet.app.photo;
