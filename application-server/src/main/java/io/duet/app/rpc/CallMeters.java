package io.duet.app.rpc;

import io.duet.process.metrics.Latency;
import io.duet.protocol.api.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The latency of every served call, by service, method and outcome: {@value #CALLS}, in Prometheus
 * {@code duet_rpc_server_seconds_bucket{service,method,outcome}}. The outcome is {@code ok}, the
 * {@link ErrorCode} of a declared error in lower case (such as {@code unavailable}), or {@code exception}
 * for an undeclared failure. Tags are bounded: services and methods are the bound services' own, and
 * a call to an unknown one is not measured. Timers are made once per method and outcome, on first use,
 * and kept, so a call allocates no tags.
 */
final class CallMeters {
    static final String CALLS = "duet.rpc.server";
    static final String EXCEPTION = "exception";
    private static final ErrorCode[] CODES = ErrorCode.values();

    /** By service name, then method name; read-only after construction. */
    private final Map<String, Map<String, Method>> methods = new HashMap<>();

    CallMeters(MeterRegistry registry, Iterable<ServiceBinding<?>> bindings) {
        for (ServiceBinding<?> binding : bindings) {
            Map<String, Method> byName = new HashMap<>();
            for (String method : binding.functions().keySet()) {
                byName.put(method, new Method(registry, binding.name(), method));
            }
            methods.put(binding.name(), byName);
        }
    }

    /** The meters of a method; null for one no binding has. */
    Method of(String service, String method) {
        Map<String, Method> byName = methods.get(service);
        return byName == null ? null : byName.get(method);
    }

    /** One method's timers; thread-safe. */
    static final class Method {
        private final MeterRegistry registry;
        private final String service;
        private final String method;
        private final Timer ok;
        private final AtomicReferenceArray<Timer> errors = new AtomicReferenceArray<>(CODES.length + 1);

        private Method(MeterRegistry registry, String service, String method) {
            this.registry = registry;
            this.service = service;
            this.method = method;
            this.ok = timer("ok");
        }

        private Timer timer(String outcome) {
            return Latency.timer(CALLS)
                    .description("Calls served, by service, method and outcome")
                    .tags("service", service, "method", method, "outcome", outcome)
                    .register(registry);
        }

        void succeeded(long startedNanos) {
            ok.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        }

        /** @param code the declared error's code; null for an undeclared failure */
        void failed(long startedNanos, ErrorCode code) {
            int slot = code == null ? CODES.length : code.ordinal();
            Timer timer = errors.get(slot);
            if (timer == null) {
                // Registering is idempotent: two threads racing here get the same timer.
                timer = timer(code == null ? EXCEPTION : code.name().toLowerCase(java.util.Locale.ROOT));
                errors.set(slot, timer);
            }
            timer.record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        }
    }
}
