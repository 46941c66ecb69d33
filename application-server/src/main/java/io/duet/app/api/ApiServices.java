package io.duet.app.api;

import io.duet.app.account.AccountDeletion;
import io.duet.app.account.Accounts;
import io.duet.app.couple.CoupleRegistry;
import io.duet.app.limits.RateLimiter;
import io.duet.app.pairing.CoupleClosing;
import io.duet.app.pairing.Pairings;
import io.duet.app.photo.Photos;
import io.duet.app.push.Pushes;
import io.duet.app.rpc.ServiceBinding;
import io.duet.protocol.thrift.ClientApi;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An implementation and an access rule for every service of the client API ({@link ClientApi}, the list both
 * tiers share); the presentation tier needs nothing more for a new service.
 */
public final class ApiServices {
    private ApiServices() {
    }

    /**
     * The bindings without implementations: every service's name, methods and access rule, to enumerate
     * (binding a call would fail).
     */
    public static List<ServiceBinding<?>> catalogue() {
        return bindings(null, null, null, null, null, null, null, null);
    }

    public static List<ServiceBinding<?>> bindings(Accounts accounts, AccountDeletion deletion, Pairings pairings,
            CoupleClosing closing, CoupleRegistry couples, RateLimiter limiter, Photos photos, Pushes pushes) {
        return checked(List.of(
                ServiceBinding.of(ClientApi.ACCOUNT, context -> new AccountApi(context, accounts, deletion, pushes, limiter),
                        ServiceBinding.Access.USER, Set.of("signUp", "logIn", "refreshSession")),
                ServiceBinding.of(ClientApi.PAIRING,
                        context -> new PairingApi(context, pairings, accounts, limiter, couples, closing),
                        ServiceBinding.Access.USER, Set.of()),
                ServiceBinding.of(ClientApi.CHAT, context -> new ChatApi(context, couples, limiter),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(ClientApi.FEED, context -> new FeedApi(context, couples, limiter),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(ClientApi.MEMO, context -> new MemoApi(new SpaceCalls(context, couples)),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(ClientApi.CALENDAR, context -> new CalendarApi(new SpaceCalls(context, couples)),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(ClientApi.PHOTO,
                        context -> new PhotoApi(context, new SpaceCalls(context, couples), photos, limiter),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(ClientApi.DEVICE, context -> new DeviceApi(context, accounts, pushes, limiter),
                        ServiceBinding.Access.USER, Set.of())));
    }

    /** The bindings, if they bind every service of the client API exactly once. */
    static List<ServiceBinding<?>> checked(List<ServiceBinding<?>> bindings) {
        List<String> bound = bindings.stream().map(ServiceBinding::name).sorted().collect(Collectors.toList());
        List<String> api = ClientApi.SERVICES.stream().map(ClientApi.Service::name).sorted().collect(Collectors.toList());
        if (!bound.equals(api)) {
            throw new IllegalStateException("bindings: " + bound + " (expected: each service of the client API once, "
                    + api + ")");
        }
        return bindings;
    }
}
