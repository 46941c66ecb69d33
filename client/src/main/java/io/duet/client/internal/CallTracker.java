package io.duet.client.internal;

import io.duet.client.DuetClientException;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.protocol.TMessageType;

/**
 * Thrift calls multiplexed over one session: each gets a sequence id, and replies, which may come in
 * any order, are matched back. Confined to the session's event loop.
 */
final class CallTracker {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    private final Map<Integer, Pending<?>> pending = new HashMap<>();
    private int nextSeqid;
    /** Calls are named by their method ids ({@link MethodIds}) where they have one: the server takes them. */
    private boolean methodIds;

    /**
     * Whether the server takes this table's method ids ({@code SubscribeResult.methodIdsVersion}): from now on
     * calls are named by them, or again in full.
     */
    void useMethodIds(boolean use) {
        methodIds = use;
    }

    /** Encodes a call of {@code service:method} and remembers how to read its reply. */
    <R> byte[] call(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult, CompletableFuture<R> future) {
        int seqid = ++nextSeqid;
        pending.put(seqid, new Pending<>(method, emptyResult, future));
        future.whenComplete((ignored, failure) -> pending.remove(seqid));
        String name = methodIds ? MethodIds.idOrFullName(service, method)
                : service + ThriftMessages.SERVICE_SEPARATOR + method;
        return ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, name, seqid, args, false);
    }

    /** Completes the call a reply answers; unknown sequence ids (timed-out calls) are ignored. */
    void onReply(byte[] reply) throws MalformedPayloadException {
        ThriftMessages.Incoming incoming = ThriftMessages.read(CODEC, reply, WireProtocol.COMPACT);
        Pending<?> call = pending.remove(incoming.header().seqid);
        if (call == null) {
            return;
        }
        if (incoming.header().type == TMessageType.EXCEPTION) {
            TApplicationException error = incoming.readApplicationException();
            call.future.completeExceptionally(new DuetClientException(call.method + " failed: " + error.getMessage(), error));
            return;
        }
        call.complete(incoming.readBody(call.emptyResult));
    }

    /** How many calls wait for their replies. */
    int inFlight() {
        return pending.size();
    }

    void failAll(String why) {
        List<Pending<?>> calls = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending<?> call : calls) {
            call.future.completeExceptionally(new CallLost(call.method + ": " + why, true));
        }
    }

    private static final class Pending<R> {
        final String method;
        final TBase<?, ?> emptyResult;
        final CompletableFuture<R> future;

        Pending(String method, TBase<?, ?> emptyResult, CompletableFuture<R> future) {
            this.method = method;
            this.emptyResult = emptyResult;
            this.future = future;
        }

        @SuppressWarnings("unchecked")
        void complete(TBase<?, ?> result) {
            try {
                future.complete((R) ThriftMessages.unwrapResult(result, method));
            } catch (Exception e) {
                future.completeExceptionally(e);
            }
        }
    }
}
