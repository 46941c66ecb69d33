package io.duet.app.rpc;

import io.duet.app.couple.NotOwnerException;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.MethodIds;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftLimits;
import io.duet.protocol.thrift.ThriftMessages;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.thrift.AsyncProcessFunction;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TException;
import org.apache.thrift.async.AsyncMethodCallback;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;

/**
 * Serves Thrift calls asynchronously, whatever service they name. Calls are read under the untrusted
 * {@link ThriftLimits}; a call that cannot be read at all is a protocol error (the stream is closed),
 * while a call to an unknown method, or with unreadable arguments, gets a Thrift EXCEPTION reply. A call may
 * name its method by its id ({@link MethodIds}); its reply carries the name the call did.
 * Every call to a known method is timed, from its arguments read to its reply encoded ({@link CallMeters}).
 */
public final class ServiceDispatcher {
    private final Map<String, ServiceBinding<?>> services = new LinkedHashMap<>();
    private final ThriftCodec requestCodec = new ThriftCodec(ThriftLimits.UNTRUSTED);
    private final ThriftCodec replyCodec = ThriftCodec.INTERNAL;
    private final CallMeters meters;

    /** A dispatcher whose calls are not measured. */
    public ServiceDispatcher(List<ServiceBinding<?>> bindings) {
        this(bindings, new CompositeMeterRegistry());
    }

    /** @param registry where calls' latencies go, by service, method and outcome */
    public ServiceDispatcher(List<ServiceBinding<?>> bindings, MeterRegistry registry) {
        for (ServiceBinding<?> binding : bindings) {
            services.put(binding.name(), binding);
        }
        this.meters = new CallMeters(registry, bindings);
    }

    /** Where a call's outcome goes. Called at most once, from any thread. */
    public interface Replier {
        /** An encoded REPLY or EXCEPTION message. */
        void reply(byte[] message);

        /** An encoded REPLY carrying a {@code RATE_LIMITED} error: HTTP answers it with 429. */
        default void replyRateLimited(byte[] message, int retryAfterMillis) {
            reply(message);
        }

        /** The call could not be read: the stream should be closed. */
        void protocolError(String detail);

        /**
         * The call was refused before it started because this server does not own its couple (see {@link
         * NotOwnerException#beforeRunning}). A replier that can have the call sent to the couple's owner as it
         * is (an HTTP request's stream, whose presentation server still holds the call) does so and returns
         * true: no reply goes out. The default, false, has the refusal replied as an UNAVAILABLE error (a TCP
         * session's client retries it).
         */
        default boolean handBackMoved(String detail) {
            return false;
        }
    }

    /**
     * @param defaultService the service of calls whose name has no {@code "service:"} prefix (HTTP
     *     requests name it in the URL, and a prefix naming another service is a protocol error); null on
     *     TCP sessions
     */
    public void dispatch(CallContext context, WireProtocol protocol, String defaultService, byte[] call, Replier replier) {
        ThriftMessages.Incoming incoming;
        try {
            incoming = ThriftMessages.read(requestCodec, call, protocol);
        } catch (MalformedPayloadException e) {
            replier.protocolError(e.getMessage());
            return;
        }
        TMessage header = incoming.header();
        if (header.type != TMessageType.CALL && header.type != TMessageType.ONEWAY) {
            replier.protocolError("expected a CALL message, got type " + header.type);
            return;
        }
        String service = defaultService;
        // A method id (a TCP session's short name for "service:method"); the reply carries the name as it came.
        String method = MethodIds.fullName(header.name);
        int separator = method.indexOf(ThriftMessages.SERVICE_SEPARATOR);
        if (separator >= 0) {
            if (defaultService != null && !method.substring(0, separator).equals(defaultService)) {
                replier.protocolError("method '" + method + "' is not a method of service '" + defaultService + "'");
                return;
            }
            service = method.substring(0, separator);
            method = method.substring(separator + 1);
        }
        ServiceBinding<?> binding = service == null ? null : services.get(service);
        if (binding == null) {
            replyException(replier, protocol, header, TApplicationException.UNKNOWN_METHOD,
                    "unknown service '" + service + "'");
            return;
        }
        invoke(binding, context, protocol, header, method, incoming, replier);
    }

    private <I> void invoke(ServiceBinding<I> binding, CallContext context, WireProtocol protocol, TMessage header,
            String method, ThriftMessages.Incoming incoming, Replier replier) {
        AsyncProcessFunction<I, ? extends TBase, ?, ? extends TBase> function = binding.function(method);
        if (function == null) {
            replyException(replier, protocol, header, TApplicationException.UNKNOWN_METHOD,
                    "unknown method '" + method + "' of service '" + binding.name() + "'");
            return;
        }
        start(function, binding, context, protocol, header, incoming, replier);
    }

    private <I, T extends TBase, R, A extends TBase> void start(AsyncProcessFunction<I, T, R, A> function,
            ServiceBinding<I> binding, CallContext context, WireProtocol protocol, TMessage header,
            ThriftMessages.Incoming incoming, Replier replier) {
        T args;
        try {
            args = incoming.readBody(function.getEmptyArgsInstance());
        } catch (MalformedPayloadException e) {
            replyException(replier, protocol, header, TApplicationException.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        ResultCallback<R, A> callback = new ResultCallback<>(function, protocol, header, replier,
                meters.of(binding.name(), function.getMethodName()));
        ErrorCode refusal = binding.refusal(context.caller(), function.getMethodName());
        if (refusal != null) {
            callback.onError(ApiErrors.of(refusal, refusal == ErrorCode.NOT_PAIRED
                    ? binding.name() + "." + function.getMethodName() + " needs a couple: pair first, then refresh the session"
                    : binding.name() + "." + function.getMethodName() + " needs a valid session token"));
            return;
        }
        try {
            function.start(binding.bind(context), args, callback);
        } catch (Exception e) {
            callback.onError(e);
        }
    }

    private void replyException(Replier replier, WireProtocol protocol, TMessage header, int type, String message) {
        if (header.type == TMessageType.ONEWAY) {
            return;
        }
        replier.reply(ThriftMessages.encodeException(replyCodec, protocol, header.name, header.seqid,
                new TApplicationException(type, message)));
    }

    /** Turns a method's outcome into its result struct, a declared exception, or a declared DuetError. */
    private final class ResultCallback<R, A extends TBase> implements AsyncMethodCallback<R> {
        private final AsyncProcessFunction<?, ?, R, A> function;
        private final WireProtocol protocol;
        private final TMessage header;
        private final Replier replier;
        private final CallMeters.Method meter;
        private final long startedNanos = System.nanoTime();

        ResultCallback(AsyncProcessFunction<?, ?, R, A> function, WireProtocol protocol, TMessage header, Replier replier,
                CallMeters.Method meter) {
            this.function = function;
            this.protocol = protocol;
            this.header = header;
            this.replier = replier;
            this.meter = meter;
        }

        @Override
        public void onComplete(R response) {
            if (function.isOneway()) {
                meter.succeeded(startedNanos);
                return;
            }
            A result = function.getEmptyResultInstance();
            ThriftMessages.setSuccess(result, response);
            replier.reply(ThriftMessages.encodeReply(replyCodec, protocol, header.name, header.seqid, result));
            meter.succeeded(startedNanos);
        }

        @Override
        public void onError(Exception failure) {
            if (function.isOneway()) {
                meter.failed(startedNanos, failure instanceof DuetError ? ((DuetError) failure).getCode() : null);
                return;
            }
            A result = function.getEmptyResultInstance();
            Throwable cause = ApiErrors.unwrap(failure);
            if (cause instanceof NotOwnerException && ((NotOwnerException) cause).isBeforeRunning()
                    && replier.handBackMoved(cause.getMessage())) {
                meter.failed(startedNanos, ErrorCode.UNAVAILABLE);
                return;
            }
            if (cause instanceof TException && !(cause instanceof DuetError)
                    && ThriftMessages.setDeclaredException(result, cause)) {
                // Another exception the method declares (MemoConflict): the client resolves it.
                replier.reply(ThriftMessages.encodeReply(replyCodec, protocol, header.name, header.seqid, result));
                return;
            }
            DuetError error = ApiErrors.toWire(failure);
            if (ThriftMessages.setDeclaredException(result, error)) {
                byte[] reply = ThriftMessages.encodeReply(replyCodec, protocol, header.name, header.seqid, result);
                if (error.getCode() == ErrorCode.RATE_LIMITED) {
                    replier.replyRateLimited(reply, error.getRetryAfterMillis());
                } else {
                    replier.reply(reply);
                }
                meter.failed(startedNanos, error.getCode());
            } else {
                replyException(replier, protocol, header, TApplicationException.INTERNAL_ERROR, error.getMessage());
                meter.failed(startedNanos, null);
            }
        }
    }
}
