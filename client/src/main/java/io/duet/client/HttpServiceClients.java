package io.duet.client;

import io.duet.protocol.api.AccountService;
import io.duet.protocol.api.CalendarService;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DeviceService;
import io.duet.protocol.api.FeedService;
import io.duet.protocol.api.MemoService;
import io.duet.protocol.api.PairingService;
import io.duet.protocol.api.PhotoService;
import io.duet.protocol.api.commonConstants;
import java.net.URI;
import java.util.Objects;
import org.apache.hc.client5.http.classic.HttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.THttpClient;
import org.apache.thrift.transport.TTransportException;

/**
 * How {@link DuetHttp}'s calls travel: each on Thrift's stock generated client of its service, over a
 * transport of its own ({@link TimedHttpTransport}, a {@code THttpClient}) that POSTs to {@code
 * <base>/api/v1/<service>} in the compact protocol, with the token in {@code Authorization: Bearer}. Plain
 * HTTP uses {@code THttpClient}'s own connections; with a {@link DuetTls}, calls share a pool of kept-alive
 * HTTPS connections. The feed's polls go through an HTTP client that keeps a refusal's {@code Retry-After}
 * ({@link RetryAfterHeader}). Thread-safe.
 */
final class HttpServiceClients {
    private static final String CONTENT_TYPE = "application/vnd.apache.thrift.compact";

    private final URI base;
    private final HttpTimeouts timeouts;
    /** Null: {@code THttpClient}'s own connections (plain, or HTTPS with the system's trust). */
    private final HttpClient https;
    /** The feed's polls' client: the HTTPS pool, or for plain HTTP made at the first poll. */
    private HttpClient polls;

    private HttpServiceClients(URI base, HttpTimeouts timeouts, HttpClient https) {
        this.base = base;
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
        this.https = https;
        this.polls = https;
    }

    /** Over {@code THttpClient}'s own connections: plain HTTP, or HTTPS that trusts the system's authorities. */
    static HttpServiceClients of(URI base, HttpTimeouts timeouts) {
        return new HttpServiceClients(base, timeouts, null);
    }

    /** Over a pool of HTTPS connections that trust {@code tls}'s authorities and resume their TLS sessions. */
    static HttpServiceClients of(URI base, DuetTls tls, HttpTimeouts timeouts) {
        if (!"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("base: " + base + " (expected: an https URL with TLS)");
        }
        return new HttpServiceClients(base, timeouts, HttpClients.custom()
                .setConnectionManager(TimedHttpTransport.connections(Objects.requireNonNull(timeouts, "timeouts"))
                        .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(tls.sslContext())
                                .buildClassic())
                        .build())
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .addResponseInterceptorLast(RetryAfterHeader.INTERCEPTOR)
                .build());
    }

    /** @param token null for the calls before a session (sign-up, log-in, a refresh by refresh token) */
    AccountService.Client account(String token) throws TTransportException {
        return new AccountService.Client(protocol(commonConstants.ACCOUNT_SERVICE, token, https));
    }

    PairingService.Client pairing(String token) throws TTransportException {
        return new PairingService.Client(protocol(commonConstants.PAIRING_SERVICE, token, https));
    }

    ChatService.Client chat(String token) throws TTransportException {
        return new ChatService.Client(protocol(commonConstants.CHAT_SERVICE, token, https));
    }

    MemoService.Client memo(String token) throws TTransportException {
        return new MemoService.Client(protocol(commonConstants.MEMO_SERVICE, token, https));
    }

    CalendarService.Client calendar(String token) throws TTransportException {
        return new CalendarService.Client(protocol(commonConstants.CALENDAR_SERVICE, token, https));
    }

    PhotoService.Client photo(String token) throws TTransportException {
        return new PhotoService.Client(protocol(commonConstants.PHOTO_SERVICE, token, https));
    }

    DeviceService.Client device(String token) throws TTransportException {
        return new DeviceService.Client(protocol(commonConstants.DEVICE_SERVICE, token, https));
    }

    /** The feed's client, whose refusals keep their {@code Retry-After} (see {@link RetryAfterHeader}). */
    FeedService.Client feed(String token) throws TTransportException {
        return new FeedService.Client(protocol(commonConstants.FEED_SERVICE, token, polls()));
    }

    private synchronized HttpClient polls() {
        if (polls == null) {
            polls = HttpClients.custom().setConnectionManager(TimedHttpTransport.connections(timeouts).build())
                    .addResponseInterceptorLast(RetryAfterHeader.INTERCEPTOR)
                    .evictIdleConnections(TimeValue.ofSeconds(30)).build();
        }
        return polls;
    }

    /** @param client null: {@code THttpClient}'s own connections */
    private TProtocol protocol(String service, String token, HttpClient client) throws TTransportException {
        String url = base.resolve("/api/v1/" + service).toString();
        THttpClient transport = new TimedHttpTransport(url, client, timeouts);
        transport.setCustomHeader("Content-Type", CONTENT_TYPE);
        if (token != null) {
            transport.setCustomHeader("Authorization", "Bearer " + token);
        }
        return new TCompactProtocol(transport);
    }
}
