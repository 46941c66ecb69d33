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
import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.CalendarService;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DeviceService;
import io.duet.protocol.api.FeedService;
import io.duet.protocol.api.MemoService;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.PhotoService;
import io.duet.protocol.api.commonConstants;
import java.util.List;
import java.util.Set;

/** Every client API service and its access rule. Adding a service here is all the presentation tier needs. */
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
        return List.of(
                ServiceBinding.of(commonConstants.ACCOUNT_SERVICE, new AccountService.AsyncProcessor<>(null),
                        context -> new AccountApi(context, accounts, deletion, pushes, limiter), ServiceBinding.Access.USER,
                        Set.of("signUp", "logIn", "refreshSession")),
                ServiceBinding.of(commonConstants.PAIRING_SERVICE, new PairingService.AsyncProcessor<>(null),
                        context -> new PairingApi(context, pairings, accounts, limiter, couples, closing), ServiceBinding.Access.USER, Set.of()),
                ServiceBinding.of(commonConstants.CHAT_SERVICE, new ChatService.AsyncProcessor<>(null),
                        context -> new ChatApi(context, couples, limiter), ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(commonConstants.FEED_SERVICE, new FeedService.AsyncProcessor<>(null),
                        context -> new FeedApi(context, couples, limiter), ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(commonConstants.MEMO_SERVICE, new MemoService.AsyncProcessor<>(null),
                        context -> new MemoApi(new SpaceCalls(context, couples)), ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(commonConstants.CALENDAR_SERVICE, new CalendarService.AsyncProcessor<>(null),
                        context -> new CalendarApi(new SpaceCalls(context, couples)), ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(commonConstants.PHOTO_SERVICE, new PhotoService.AsyncProcessor<>(null),
                        context -> new PhotoApi(context, new SpaceCalls(context, couples), photos, limiter),
                        ServiceBinding.Access.COUPLE, Set.of()),
                ServiceBinding.of(commonConstants.DEVICE_SERVICE, new DeviceService.AsyncProcessor<>(null),
                        context -> new DeviceApi(context, accounts, pushes, limiter), ServiceBinding.Access.USER, Set.of()));
    }
}
