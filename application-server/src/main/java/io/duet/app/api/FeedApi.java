package io.duet.app.api;

import io.duet.app.couple.CoupleActor;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.FeedService;
import io.duet.protocol.api.PollEventsRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code FeedService} for one call of a paired user, over either transport alike: a poll of the couple's
 * events goes to its actor ({@link CoupleActor#pollEvents}). A poll counts against the device's history
 * reads, like fetchHistory and subscribe's long poll, and parks within the server's long-poll bounds.
 */
final class FeedApi implements FeedService.AsyncIface {
    private final CallContext context;
    private final CoupleRegistry couples;
    private final RateLimiter limiter;

    FeedApi(CallContext context, CoupleRegistry couples, RateLimiter limiter) {
        this.context = context;
        this.couples = couples;
        this.limiter = limiter;
    }

    @Override
    public void pollEvents(PollEventsRequest request, AsyncMethodCallback<FeedPage> callback) {
        String problem = problem(request);
        if (problem != null) {
            callback.onError(ApiErrors.invalidArgument(problem));
            return;
        }
        long userId = context.caller().userId();
        String deviceId = context.caller().deviceId();
        DuetError refused = limiter.refusal(Limit.HISTORY_PER_DEVICE, userId + "/" + deviceId);
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        long wait = request.isSetWaitMillis() ? couples.longPolls().waitFor(request.getWaitMillis()) : 0;
        int maxEvents = couples.longPolls().eventsFor(request.isSetMaxEvents() ? request.getMaxEvents() : null);
        CompletableFuture<FeedPage> result;
        try {
            result = couples.actorFor(context.caller().coupleId())
                    .pollEvents(userId, deviceId, request, maxEvents, wait);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        Callbacks.complete(result, callback);
    }

    /** What is wrong with the request's cursors and bounds; null if nothing. */
    static String problem(PollEventsRequest request) {
        if (request.getAfterSeq() < 0) {
            return "afterSeq: " + request.getAfterSeq() + " (expected: >= 0)";
        }
        if (request.isSetAfterChange() && request.getAfterChange() < 0) {
            return "afterChange: " + request.getAfterChange() + " (expected: >= 0)";
        }
        if (request.isSetStream() != request.isSetAfterEvent()) {
            return "stream and afterEvent: expected both (from the previous FeedPage) or neither";
        }
        if (request.isSetStream() && !request.isSetAfterChange()) {
            // Without it, the changes made since the previous poll would be passed over ("from now on").
            return "afterChange: expected with stream and afterEvent (FeedPage.afterChange of the previous poll)";
        }
        if (request.isSetAfterEvent() && request.getAfterEvent() < 0) {
            return "afterEvent: " + request.getAfterEvent() + " (expected: >= 0)";
        }
        if (request.isSetWaitMillis() && request.getWaitMillis() < 0) {
            return "waitMillis: " + request.getWaitMillis() + " (expected: >= 0)";
        }
        if (request.isSetMaxEvents() && request.getMaxEvents() < 1) {
            return "maxEvents: " + request.getMaxEvents() + " (expected: >= 1)";
        }
        return null;
    }
}
