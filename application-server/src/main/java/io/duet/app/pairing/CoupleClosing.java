package io.duet.app.pairing;

import io.duet.app.couple.CoupleRegistry;
import io.duet.app.photo.Photos;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleClosures;
import io.duet.app.storage.UserStore;
import io.duet.protocol.api.CoupleClosedEvent;
import io.duet.protocol.api.CoupleClosedReason;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.storage.StoredPhoto;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unpairing: closing a couple for good and deleting its data (docs/COUPLE-LIFECYCLE.md says why at once).
 * The steps, each idempotent, so that a retry after any failure (or a later log-in, see {@link
 * Pairings#resolveCouple}) finishes the job:
 *
 * <ol>
 *   <li>the couple's row is closed ({@link CoupleClosures#close}): from then on no owner can write it or
 *       load it again, so nothing is added to what is being deleted;</li>
 *   <li>both partners' sessions are told (a {@code CoupleClosedEvent} to every session of both users), and
 *       the couple's server, when it is this one, ends its sessions with COUPLE_CLOSED ({@link #endSessions},
 *       once the call that closed it has its reply; another server learns it at its next write, which is
 *       fenced);</li>
 *   <li>the couple's photo rows are fenced for good (no deposed owner adds a photo after this), its S3
 *       objects are deleted (every photo's variants, and unfinished uploads), then its
 *       messages, memos, calendar, photos' metadata, nicknames and read marks ({@link CoupleClosures#purge});
 *       the row keeps its owner cells as a tombstone (member ids, created and closed at);</li>
 *   <li>both users are unbound from the couple: they are unpaired and may pair again.</li>
 * </ol>
 */
public final class CoupleClosing {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleClosing.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final CoupleClosures closures;
    private final UserStore users;
    private final Photos photos;
    private final CoupleRegistry registry;
    private final UserPush push;
    private final Clock clock;

    public CoupleClosing(CoupleClosures closures, UserStore users, Photos photos,
            CoupleRegistry registry, UserPush push, Clock clock) {
        this.closures = closures;
        this.users = users;
        this.photos = photos;
        this.registry = registry;
        this.push = push;
        this.clock = clock;
    }

    /**
     * Closes couple {@code coupleId}, of which {@code userId} must be a member, deletes its data and unpairs
     * both partners. Retrying after a failure finishes the job.
     */
    public CompletableFuture<Void> close(long userId, long coupleId, CoupleClosedReason reason) {
        return closures.membership(coupleId).thenCompose(found -> {
            if (found.isEmpty() || !found.get().hasMember(userId)) {
                return CompletableFuture.failedFuture(ApiErrors.of(ErrorCode.NOT_PAIRED, "not a member of that couple"));
            }
            CoupleClosures.Membership members = found.get();
            return closures.close(coupleId, userId, clock.millis()).thenCompose(closedNow -> {
                if (closedNow) {
                    LOG.info("Couple {} closed by user {} ({})", coupleId, userId, reason);
                }
                push.push(List.of(members.userA(), members.userB()), Event.coupleClosed(
                        new CoupleClosedEvent(coupleId, userId, reason)));
                return finish(coupleId, members);
            });
        });
    }

    /**
     * Ends the closed couple's TCP sessions on this server with COUPLE_CLOSED, if it has the couple loaded
     * (step 2). Called once the closing call's reply is on its way, so that the caller's own session gets it.
     */
    public void endSessions(long coupleId) {
        if (registry != null && coupleId != 0) {
            registry.closed(coupleId);
        }
    }

    /**
     * Deletes the data of couple {@code coupleId}, closed already, and unbinds its members: the steps after
     * closing, for a closing that stopped half way.
     */
    public CompletableFuture<Void> finish(long coupleId) {
        return closures.membership(coupleId).thenCompose(found -> found.isPresent() && found.get().closed()
                ? finish(coupleId, found.get())
                : CompletableFuture.failedFuture(new IllegalStateException("couple " + coupleId + " is not closed")));
    }

    private CompletableFuture<Void> finish(long coupleId, CoupleClosures.Membership members) {
        return closures.closedPhotos(coupleId)
                .thenCompose(records -> photos.deleteCoupleObjects(coupleId, objectKeys(coupleId, records)))
                .thenCompose(objects -> closures.purge(coupleId).thenApply(ignored -> objects))
                .thenCompose(objects -> CompletableFuture.allOf(users.unbindCouple(members.userA(), coupleId),
                        users.unbindCouple(members.userB(), coupleId)).thenRun(() ->
                        LOG.info("Couple {} purged: its data and {} objects deleted, both members unpaired", coupleId,
                                objects)));
    }

    /** Every S3 key the couple's photos' metadata names. */
    static List<String> objectKeys(long coupleId, Map<String, byte[]> records) {
        List<String> keys = new ArrayList<>();
        records.forEach((photoId, bytes) -> {
            try {
                StoredPhoto photo = CODEC.decode(bytes, new StoredPhoto());
                if (photo.isSetObjectKeys()) {
                    keys.addAll(photo.getObjectKeys().values());
                }
            } catch (MalformedPayloadException e) {
                throw new IllegalStateException("unreadable photo " + photoId + " of couple " + coupleId
                        + ": its objects cannot be found", e);
            }
        });
        return keys;
    }
}
