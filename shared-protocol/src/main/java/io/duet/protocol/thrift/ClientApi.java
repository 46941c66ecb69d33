package io.duet.protocol.thrift;

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
import java.util.Objects;
import java.util.Set;
import org.apache.thrift.TBaseAsyncProcessor;

/**
 * The client API's services, each with its name on the wire and its methods: the one list of them. The
 * application server binds an implementation and an access rule to each ({@code ApiServices}, which refuses
 * to start with one left out), and the presentation server tags its relay timers by them ({@code
 * RelayCallMeters}). A new service is added here, then bound there.
 */
public final class ClientApi {
    public static final Service<AccountService.AsyncIface> ACCOUNT =
            new Service<>(commonConstants.ACCOUNT_SERVICE, new AccountService.AsyncProcessor<>(null));
    public static final Service<PairingService.AsyncIface> PAIRING =
            new Service<>(commonConstants.PAIRING_SERVICE, new PairingService.AsyncProcessor<>(null));
    public static final Service<ChatService.AsyncIface> CHAT =
            new Service<>(commonConstants.CHAT_SERVICE, new ChatService.AsyncProcessor<>(null));
    public static final Service<FeedService.AsyncIface> FEED =
            new Service<>(commonConstants.FEED_SERVICE, new FeedService.AsyncProcessor<>(null));
    public static final Service<MemoService.AsyncIface> MEMO =
            new Service<>(commonConstants.MEMO_SERVICE, new MemoService.AsyncProcessor<>(null));
    public static final Service<CalendarService.AsyncIface> CALENDAR =
            new Service<>(commonConstants.CALENDAR_SERVICE, new CalendarService.AsyncProcessor<>(null));
    public static final Service<PhotoService.AsyncIface> PHOTO =
            new Service<>(commonConstants.PHOTO_SERVICE, new PhotoService.AsyncProcessor<>(null));
    public static final Service<DeviceService.AsyncIface> DEVICE =
            new Service<>(commonConstants.DEVICE_SERVICE, new DeviceService.AsyncProcessor<>(null));

    /** Every service of the client API. */
    public static final List<Service<?>> SERVICES = List.of(ACCOUNT, PAIRING, CHAT, FEED, MEMO, CALENDAR, PHOTO, DEVICE);

    private ClientApi() {
    }

    /**
     * One service: its name in TCP call names ({@code "chat:sendMessage"}) and HTTP paths ({@code /api/v1/chat}),
     * and its generated {@code AsyncProcessor}, made with no implementation: only its process functions are used.
     *
     * @param <I> the service's generated {@code AsyncIface}
     */
    public static final class Service<I> {
        private final String name;
        private final TBaseAsyncProcessor<I> processor;

        Service(String name, TBaseAsyncProcessor<I> processor) {
            this.name = Objects.requireNonNull(name, "name");
            this.processor = processor;
        }

        public String name() {
            return name;
        }

        public TBaseAsyncProcessor<I> processor() {
            return processor;
        }

        /** The service's methods, by name. */
        public Set<String> methods() {
            return processor.getProcessMapView().keySet();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
