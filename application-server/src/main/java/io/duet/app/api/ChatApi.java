package io.duet.app.api;

import io.duet.app.couple.CoupleActor;
import io.duet.app.couple.CoupleLimits;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.couple.MessageChange;
import io.duet.app.limits.Limit;
import io.duet.app.limits.RateLimiter;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.rpc.CallContext;
import io.duet.app.rpc.Callbacks;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DeleteMessageRequest;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.EditMessageRequest;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.GetReadStateRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.MarkReadRequest;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.thrift.async.AsyncMethodCallback;

/**
 * {@code ChatService} for one call of a paired user: everything goes to the couple's actor. Sends, edits
 * and deletes are rate limited per device, user and couple (one budget); typing notices, history pages and
 * read marks per device.
 */
final class ChatApi implements ChatService.AsyncIface {
    private final CallContext context;
    private final CoupleRegistry couples;
    private final RateLimiter limiter;

    ChatApi(CallContext context, CoupleRegistry couples, RateLimiter limiter) {
        this.context = context;
        this.couples = couples;
        this.limiter = limiter;
    }

    /** The key of the caller's device: a device id is only unique per user. */
    private String device() {
        return context.caller().userId() + "/" + context.caller().deviceId();
    }

    private <T> void onActor(Function<CoupleActor, CompletableFuture<T>> call, AsyncMethodCallback<T> callback) {
        CompletableFuture<T> result;
        try {
            result = call.apply(couples.actorFor(context.caller().coupleId()));
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        Callbacks.complete(result, callback);
    }

    @Override
    public void sendMessage(SendMessageRequest request, AsyncMethodCallback<SendMessageResult> callback) {
        try {
            ClientMessageIds.toCanonicalString(request);
        } catch (DuetError e) {
            callback.onError(e);
            return;
        }
        String id = request.getClientMessageId();
        String text = request.getText();
        if (id == null || id.isEmpty() || id.length() > CoupleLimits.MAX_CLIENT_MESSAGE_ID_CHARS) {
            callback.onError(ApiErrors.invalidArgument("clientMessageId: expected 1 to "
                    + CoupleLimits.MAX_CLIENT_MESSAGE_ID_CHARS + " characters"));
            return;
        }
        String problem = request.isSetSticker() ? stickerMessageProblem(request) : textProblem(text);
        if (problem != null) {
            callback.onError(ApiErrors.invalidArgument(problem));
            return;
        }
        String streamToKeep;
        try {
            streamToKeep = DeclaredOrderStreams.resolve(request, context.session().orElse(null));
        } catch (DuetError e) {
            callback.onError(e);
            return;
        }
        DuetError refused = sendRefusal();
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        onActor(actor -> {
            CompletableFuture<SendMessageResult> sent = actor.send(context.caller().userId(),
                    context.caller().deviceId(), request, context.session().orElse(null));
            return DeclaredOrderStreams.keepOnAcknowledgement(sent, streamToKeep, context.session().orElse(null));
        }, callback);
    }

    private static String textProblem(String text) {
        return text == null || text.isBlank() || text.length() > CoupleLimits.MAX_TEXT_CHARS
                ? "text: expected 1 to " + CoupleLimits.MAX_TEXT_CHARS + " characters, not all blank" : null;
    }

    private static String stickerMessageProblem(SendMessageRequest request) {
        String text = request.getText();
        return text != null && !text.isEmpty() ? "text: expected none with a sticker"
                : MessageChange.stickerProblem(request.getSticker());
    }

    /** Sends, edits and deletes share the send limits. */
    private DuetError sendRefusal() {
        return limiter.refusal(Limit.SEND_PER_DEVICE, device(), Limit.SEND_PER_USER,
                context.caller().userId(), Limit.SEND_PER_COUPLE, context.caller().coupleId());
    }

    @Override
    public void editMessage(EditMessageRequest request, AsyncMethodCallback<Message> callback) {
        String problem = MessageChange.editTextProblem(request.getText());
        if (problem != null) {
            callback.onError(ApiErrors.invalidArgument(problem));
            return;
        }
        DuetError refused = sendRefusal();
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Long expected = request.isSetExpectedVersion() ? request.getExpectedVersion() : null;
        onActor(actor -> actor.editMessage(context.caller().userId(), request.getSeq(), request.getText(), expected),
                callback);
    }

    @Override
    public void deleteMessage(DeleteMessageRequest request, AsyncMethodCallback<Message> callback) {
        DuetError refused = sendRefusal();
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Long expected = request.isSetExpectedVersion() ? request.getExpectedVersion() : null;
        onActor(actor -> actor.deleteMessage(context.caller().userId(), request.getSeq(), expected), callback);
    }

    @Override
    public void setTyping(SetTypingRequest request, AsyncMethodCallback<SetTypingResult> callback) {
        DuetError refused = limiter.refusal(Limit.TYPING_PER_DEVICE, device());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        onActor(actor -> actor.setTyping(context.caller().userId(), request.isTyping()), callback);
    }

    @Override
    public void subscribe(SubscribeRequest request, AsyncMethodCallback<SubscribeResult> callback) {
        if (context.session().isEmpty()) {
            // Over HTTP: a long poll for the messages after afterSeq, a history read like fetchHistory's.
            DuetError refused = limiter.refusal(Limit.HISTORY_PER_DEVICE, device());
            if (refused != null) {
                callback.onError(refused);
                return;
            }
            long wait = request.isSetWaitMillis() ? couples.longPolls().waitFor(request.getWaitMillis()) : 0;
            onActor(actor -> actor.poll(context.caller().userId(), request.getAfterSeq(), wait), callback);
            return;
        }
        // This server takes method ids and client message ids as bytes: the session may use them.
        onActor(actor -> actor.subscribe(context.session().get(), request.getAfterSeq(), request.isNoEcho(),
                request.isSetAfterChange() ? request.getAfterChange() : null)
                .thenApply(result -> new SubscribeResult(result).setMethodIdsVersion(commonConstants.METHOD_IDS_VERSION)
                        .setTakesClientMessageIdBytes(true)),
                callback);
    }

    @Override
    public void fetchHistory(FetchHistoryRequest request, AsyncMethodCallback<HistoryPage> callback) {
        DuetError refused = limiter.refusal(Limit.HISTORY_PER_DEVICE, device());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        Long beforeSeq = request.isSetBeforeSeq() ? request.getBeforeSeq() : null;
        onActor(actor -> actor.history(context.caller().userId(), request.getAfterSeq(), beforeSeq, request.getLimit()),
                callback);
    }

    @Override
    public void markRead(MarkReadRequest request, AsyncMethodCallback<ReadState> callback) {
        if (request.getUpToSeq() < 0) {
            callback.onError(ApiErrors.invalidArgument("upToSeq: " + request.getUpToSeq() + " (expected: >= 0)"));
            return;
        }
        DuetError refused = limiter.refusal(Limit.READ_MARK_PER_DEVICE, device());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        onActor(actor -> actor.markRead(context.caller().userId(), request.getUpToSeq()), callback);
    }

    @Override
    public void getReadState(GetReadStateRequest request, AsyncMethodCallback<ReadState> callback) {
        DuetError refused = limiter.refusal(Limit.READ_MARK_PER_DEVICE, device());
        if (refused != null) {
            callback.onError(refused);
            return;
        }
        onActor(actor -> actor.readState(context.caller().userId()), callback);
    }
}
