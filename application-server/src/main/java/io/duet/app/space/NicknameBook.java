package io.duet.app.space;

import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.CoupleProfile;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.NicknameChangedEvent;
import io.duet.protocol.api.UserProfile;
import io.duet.protocol.storage.StoredNicknames;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.HashMap;
import java.util.Map;

/**
 * What each partner calls the other, as the couple's owner holds it: one cell of the couple's space, read,
 * changed and written back keeping the fields this version does not know. Like {@link MemoBook}, each
 * operation says what to write and the change is applied once written. Confined to the couple's executor.
 */
public final class NicknameBook {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    public static final int MAX_NICKNAME_CHARS = 50;

    private byte[] bytes;
    private StoredNicknames stored = new StoredNicknames();

    /** Reads the stored cell (null: none yet); fails with {@link IllegalStateException} on one it cannot read. */
    public void load(byte[] cell) {
        bytes = cell;
        stored = cell == null ? new StoredNicknames() : decode(cell, new UnknownFields());
    }

    /** What {@code userId} calls the partner, or null. */
    public String nicknameBy(long userId) {
        return nicknameBy(stored, userId);
    }

    private static String nicknameBy(StoredNicknames nicknames, long userId) {
        return nicknames.isSetNicknames() ? nicknames.getNicknames().get(userId) : null;
    }

    /**
     * The profile as {@code userId} sees it, as a step (a read): both partners' ids, the nicknames both ways
     * and the start date (null: none). The display names and the couple's id are the caller's to add.
     */
    public Step<CoupleProfile> get(long userId, long partnerId, String startDate) {
        return Step.done(view(stored, userId, partnerId, startDate));
    }

    private static CoupleProfile view(StoredNicknames nicknames, long userId, long partnerId, String startDate) {
        CoupleProfile profile = new CoupleProfile().setMe(new UserProfile(userId, ""))
                .setPartner(new UserProfile(partnerId, ""));
        String partnerNickname = nicknameBy(nicknames, userId);
        String myNickname = nicknameBy(nicknames, partnerId);
        if (partnerNickname != null) {
            profile.setPartnerNickname(partnerNickname);
        }
        if (myNickname != null) {
            profile.setMyNickname(myNickname);
        }
        if (startDate != null) {
            profile.setStartDate(startDate);
        }
        return profile;
    }

    /** Why a partner may not set {@code nickname}, or null if they may (null itself, which clears it, may). */
    static String problem(String nickname) {
        if (nickname == null) {
            return null;
        }
        if (nickname.isBlank() || nickname.length() > MAX_NICKNAME_CHARS) {
            return "nickname: expected 1 to " + MAX_NICKNAME_CHARS + " characters, not all blank";
        }
        return null;
    }

    /**
     * Sets what {@code userId} calls the partner ({@code nickname} null: clears it); the step's result is the
     * profile as {@code userId} will see it, and its event tells both partners' sessions.
     */
    public Step<CoupleProfile> set(long userId, long partnerId, String nickname, String startDate, long fence)
            throws DuetError {
        String problem = problem(nickname);
        if (problem != null) {
            throw ApiErrors.invalidArgument(problem);
        }
        UnknownFields unknown = new UnknownFields();
        StoredNicknames changed = bytes == null ? new StoredNicknames() : decode(bytes, unknown);
        Map<Long, String> names = changed.isSetNicknames() ? new HashMap<>(changed.getNicknames()) : new HashMap<>();
        if (nickname == null) {
            names.remove(userId);
        } else {
            names.put(userId, nickname);
        }
        changed.setNicknames(names).setFence(fence);
        byte[] encoded = CODEC.encodeKeepingUnknown(changed, unknown);
        NicknameChangedEvent event = new NicknameChangedEvent().setChangedBy(userId);
        if (nickname != null) {
            event.setNickname(nickname);
        }
        CoupleProfile result = view(changed, userId, partnerId, startDate);
        return Step.write(SpaceStore.nicknamesQualifier(), encoded, () -> {
            bytes = encoded;
            stored = changed;
        }, result, Event.nicknameChanged(event));
    }

    private static StoredNicknames decode(byte[] cell, UnknownFields unknown) {
        try {
            return CODEC.decodeKeepingUnknown(cell, new StoredNicknames(), unknown);
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("unreadable nicknames in HBase", e);
        }
    }
}
