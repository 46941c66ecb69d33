package io.duet.app.couple;

import io.duet.app.space.CalendarBook;
import io.duet.app.space.MemoBook;
import io.duet.app.space.NicknameBook;
import io.duet.app.space.PhotoBook;
import java.time.Instant;

/** What a {@link SpaceCall} works with: the couple's loaded space, its fence, the time and new ids. */
public final class SpaceContext {
    private final CoupleSpace space;
    private final long fence;
    private final Instant now;
    private final long userA;
    private final long userB;

    SpaceContext(CoupleSpace space, long fence, Instant now, long userA, long userB) {
        this.space = space;
        this.fence = fence;
        this.now = now;
        this.userA = userA;
        this.userB = userB;
    }

    public MemoBook memos() {
        return space.memos();
    }

    public CalendarBook calendar() {
        return space.calendar();
    }

    public PhotoBook photos() {
        return space.photos();
    }

    public NicknameBook nicknames() {
        return space.nicknames();
    }

    /** The fence value the couple's row was claimed with, recorded in what is written. */
    public long fence() {
        return fence;
    }

    public Instant now() {
        return now;
    }

    public long newMemoId() {
        return space.newMemoId();
    }

    public long newEventId() {
        return space.newEventId();
    }

    public boolean isMember(long userId) {
        return userId == userA || userId == userB;
    }

    /** The other member of the couple (the caller is a member: the actor checked). */
    public long partnerOf(long userId) {
        return userId == userA ? userB : userA;
    }
}
