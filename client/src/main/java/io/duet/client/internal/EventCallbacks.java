package io.duet.client.internal;

import io.duet.client.DuetListener;
import io.duet.protocol.api.Event;

/**
 * The listener callback of each event that needs no state of the session's: typing, memo, calendar, read
 * mark, nickname, couple closed and photo deleted. Shared by the TCP session ({@link Delivery}) and the
 * HTTP feed ({@link io.duet.client.DuetFeed}), so that both hand the same events to the same callbacks.
 */
public final class EventCallbacks {
    private EventCallbacks() {
    }

    /** Calls {@code listener} for {@code event}; false, calling nothing, for the other kinds. */
    public static boolean deliver(Event event, DuetListener listener) {
        if (event.getSetField() == null) {
            return false;
        }
        switch (event.getSetField()) {
            case TYPING:
                listener.onPartnerTyping(event.getTyping().isTyping());
                return true;
            case MEMO_CHANGED:
                listener.onMemoChanged(event.getMemoChanged().getMemoId(),
                        event.getMemoChanged().isSetMemo() ? event.getMemoChanged().getMemo() : null,
                        event.getMemoChanged().getChangedBy());
                return true;
            case CALENDAR_CHANGED:
                listener.onCalendarChanged(event.getCalendarChanged().getChangedBy());
                return true;
            case READ_MARK:
                listener.onRead(event.getReadMark().getUserId(), event.getReadMark().getReadUpTo());
                return true;
            case NICKNAME_CHANGED:
                listener.onNicknameChanged(event.getNicknameChanged().getChangedBy(),
                        event.getNicknameChanged().isSetNickname() ? event.getNicknameChanged().getNickname() : null);
                return true;
            case COUPLE_CLOSED:
                listener.onCoupleClosed(event.getCoupleClosed().getCoupleId(), event.getCoupleClosed().getClosedBy(),
                        event.getCoupleClosed().getReason());
                return true;
            case PHOTO_DELETED:
                listener.onPhotoDeleted(event.getPhotoDeleted().getPhotoId(), event.getPhotoDeleted().getDeletedBy());
                return true;
            default:
                return false;
        }
    }
}
