package io.duet.app.rpc;

import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.thrift.ClientApi;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.thrift.AsyncProcessFunction;
import org.apache.thrift.TBase;
import org.apache.thrift.TBaseAsyncProcessor;

/**
 * A Thrift service as the dispatcher serves it: its generated process functions, a factory binding an
 * implementation to each call's context, and who may call it.
 *
 * @param <I> the service's generated {@code AsyncIface}
 */
public final class ServiceBinding<I> {
    /** Who may call a service's methods. */
    public enum Access {
        /** Anyone, even without a token. */
        ANONYMOUS,
        /** Any authenticated user. */
        USER,
        /** A user whose token carries a couple. */
        COUPLE
    }

    private final String name;
    private final Map<String, AsyncProcessFunction<I, ? extends TBase, ?, ? extends TBase>> functions;
    private final Function<CallContext, I> implementation;
    private final Access access;
    private final Set<String> anonymousMethods;

    private ServiceBinding(String name, TBaseAsyncProcessor<I> processor, Function<CallContext, I> implementation,
            Access access, Set<String> anonymousMethods) {
        this.name = name;
        this.functions = Map.copyOf(processor.getProcessMapView());
        this.implementation = implementation;
        this.access = access;
        this.anonymousMethods = Set.copyOf(anonymousMethods);
    }

    /**
     * @param name the service's name on the wire: in TCP call names ({@code "chat:sendMessage"}) and
     *     HTTP paths ({@code /api/v1/chat})
     * @param processor the generated {@code AsyncProcessor}, constructed with a null implementation:
     *     only its process functions are used
     * @param anonymousMethods methods that need no token, whatever {@code access} says
     */
    public static <I> ServiceBinding<I> of(String name, TBaseAsyncProcessor<I> processor,
            Function<CallContext, I> implementation, Access access, Set<String> anonymousMethods) {
        return new ServiceBinding<>(name, processor, implementation, access, anonymousMethods);
    }

    /** {@code service} of the client API ({@link ClientApi}), bound to {@code implementation}. */
    public static <I> ServiceBinding<I> of(ClientApi.Service<I> service, Function<CallContext, I> implementation,
            Access access, Set<String> anonymousMethods) {
        return of(service.name(), service.processor(), implementation, access, anonymousMethods);
    }

    public String name() {
        return name;
    }

    /**
     * Every method of the service, by name, with its generated process function (whose empty args and
     * result structs tell a method's types): what the authorization matrix test enumerates.
     */
    public Map<String, AsyncProcessFunction<I, ? extends TBase, ?, ? extends TBase>> functions() {
        return functions;
    }

    AsyncProcessFunction<I, ? extends TBase, ?, ? extends TBase> function(String method) {
        return functions.get(method);
    }

    /**
     * A new, empty arguments struct of each method, by method name: what the dispatcher decodes a client's
     * call into. For tests that must cover every request struct of every service.
     */
    @SuppressWarnings("rawtypes")
    public SortedMap<String, TBase> emptyArgs() {
        SortedMap<String, TBase> args = new TreeMap<>();
        functions.forEach((method, function) -> args.put(method, function.getEmptyArgsInstance()));
        return args;
    }

    I bind(CallContext context) {
        return implementation.apply(context);
    }

    /** Why {@code caller} may not call {@code method}, or null if it may. */
    ErrorCode refusal(Caller caller, String method) {
        if (anonymousMethods.contains(method) || access == Access.ANONYMOUS) {
            return null;
        }
        if (!caller.isAuthenticated()) {
            return ErrorCode.UNAUTHENTICATED;
        }
        if (access == Access.COUPLE && !caller.isPaired()) {
            return ErrorCode.NOT_PAIRED;
        }
        return null;
    }
}
