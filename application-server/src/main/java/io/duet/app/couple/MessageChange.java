package io.duet.app.couple;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.space.SpaceLimits;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.MessageConflict;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.storage.StoredMessage;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules of message kinds and of changing a sent message, without I/O: which stickers are well
 * formed, and what an edit or a delete makes of a stored message (or why it may not).
 *
 * <p>Only the sender changes a message. An edit replaces the text of a TEXT message (1 to {@link
 * CoupleLimits#MAX_TEXT_CHARS} characters, not all blank, as sendMessage) or the caption of a PHOTO message
 * (which may be empty, at most {@link SpaceLimits#MAX_CAPTION_CHARS} characters, as an upload's: the photo
 * takes it too); a sticker, a tombstone or a kind this release does not know has no text to edit.
 * A delete leaves a tombstone: the sequence number, sender, client message id and times stay; kind, text,
 * photo id and sticker are cleared (a PHOTO message's photo stays in the couple's photos). Deleting a
 * tombstone again changes nothing. Each change raises the version by one; a change that names an
 * expected version the message is no longer at fails with {@link MessageConflict}, one that names none
 * applies to the message as it is (the last writer wins).
 */
public final class MessageChange {
    /** The most characters of a sticker's pack id, and of its id in the pack. */
    public static final int MAX_STICKER_ID_CHARS = 64;
    private static final Pattern STICKER_ID = Pattern.compile("[A-Za-z0-9._-]{1," + MAX_STICKER_ID_CHARS + "}");

    private MessageChange() {
    }

    /** What is wrong with a sticker reference; null when it is well formed. */
    public static String stickerProblem(StickerRef sticker) {
        if (!wellFormed(sticker.getPackId())) {
            return "sticker.packId: expected 1 to " + MAX_STICKER_ID_CHARS + " characters of A-Z a-z 0-9 . _ -";
        }
        if (!wellFormed(sticker.getStickerId())) {
            return "sticker.stickerId: expected 1 to " + MAX_STICKER_ID_CHARS + " characters of A-Z a-z 0-9 . _ -";
        }
        return null;
    }

    private static boolean wellFormed(String id) {
        return id != null && STICKER_ID.matcher(id).matches();
    }

    /** What is wrong with an edit's new text whatever the message; null when it may fit. */
    public static String editTextProblem(String text) {
        if (text == null || text.length() > CoupleLimits.MAX_TEXT_CHARS) {
            return "text: expected at most " + CoupleLimits.MAX_TEXT_CHARS + " characters";
        }
        return null;
    }

    /**
     * {@code stored} (message {@code seq}, decoded keeping unknown fields) with {@code callerId}'s edit to
     * {@code text} applied; changed in place and returned.
     *
     * @param expectedVersion the version the edit is based on, or null for none
     */
    static StoredMessage edit(long seq, StoredMessage stored, long callerId, String text, Long expectedVersion,
            long now, long fence) throws DuetError, MessageConflict {
        checkSender(seq, stored, callerId);
        if (stored.isDeleted()) {
            throw ApiErrors.invalidArgument("message " + seq + " was deleted; a tombstone cannot be edited");
        }
        checkVersion(seq, stored, expectedVersion);
        MessageKind kind = MessageKind.findByValue(stored.getKind());
        if (kind == MessageKind.TEXT) {
            if (text.isBlank()) {
                throw ApiErrors.invalidArgument("text: expected 1 to " + CoupleLimits.MAX_TEXT_CHARS
                        + " characters, not all blank (to remove the message, delete it)");
            }
        } else if (kind == MessageKind.PHOTO) {
            if (text.length() > SpaceLimits.MAX_CAPTION_CHARS) {
                throw ApiErrors.invalidArgument("text: a photo's caption has at most " + SpaceLimits.MAX_CAPTION_CHARS
                        + " characters");
            }
        } else {
            throw ApiErrors.invalidArgument("message " + seq + " is a " + (kind == null ? "kind this server does not know"
                    : kind.name().toLowerCase(Locale.ROOT)) + ", which has no text to edit");
        }
        return stored.setText(text).setVersion(stored.getVersion() + 1).setEditedAtMillis(now).setChangeFence(fence);
    }

    /**
     * {@code stored} (message {@code seq}) made a tombstone by {@code callerId}, changed in place and
     * returned; null if it already is one (nothing to write).
     */
    static StoredMessage delete(long seq, StoredMessage stored, long callerId, Long expectedVersion, long now,
            long fence) throws DuetError, MessageConflict {
        checkSender(seq, stored, callerId);
        if (stored.isDeleted()) {
            return null;
        }
        checkVersion(seq, stored, expectedVersion);
        stored.setKind(0);
        stored.unsetText();
        stored.unsetPhotoId();
        stored.unsetStickerPackId();
        stored.unsetStickerId();
        return stored.setDeleted(true).setDeletedAtMillis(now).setVersion(stored.getVersion() + 1).setChangeFence(fence);
    }

    private static void checkSender(long seq, StoredMessage stored, long callerId) throws DuetError {
        if (stored.getSenderId() != callerId) {
            throw ApiErrors.of(ErrorCode.PERMISSION_DENIED, "message " + seq + " is the partner's: only its sender may "
                    + "edit or delete it");
        }
    }

    private static void checkVersion(long seq, StoredMessage stored, Long expectedVersion) throws MessageConflict {
        if (expectedVersion != null && expectedVersion != stored.getVersion()) {
            throw new MessageConflict(CoupleStore.toMessage(seq, stored));
        }
    }
}
