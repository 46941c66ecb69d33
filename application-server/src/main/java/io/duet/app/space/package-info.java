/**
 * The couple's space, as pure logic: {@link io.duet.app.space.MemoBook} (memos and their versions) and
 * {@link io.duet.app.space.CalendarBook} (start date, time zone, events) and {@link io.duet.app.space.PhotoBook}
 * (photos' metadata; the objects are in S3, see {@code io.duet.app.photo}) and {@link
 * io.duet.app.space.NicknameBook} (what the partners call each other) turn each request into a {@link
 * io.duet.app.space.Step}, what to write and then apply (a photo's step first reads the rows it needs from
 * the photos table: the photos are never all in memory); {@link io.duet.app.space.Anniversaries} does the
 * date arithmetic (day counts, yearly dates, February 29, upcoming). Start with {@code MemoBook}. The couple's
 * actor runs the steps one at a time ({@code io.duet.app.couple.CoupleSpace}); {@link
 * io.duet.app.storage.SpaceStore} and {@link io.duet.app.storage.PhotoStore} store them.
 */
package io.duet.app.space;
