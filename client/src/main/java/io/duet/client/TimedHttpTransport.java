package io.duet.client;

import io.duet.protocol.thrift.ThriftLimits;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.HttpClient;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.thrift.transport.THttpClient;
import org.apache.thrift.transport.TTransportException;

/**
 * {@code THttpClient} with {@link HttpTimeouts}, whose failures for running out of one are {@link
 * HttpTimeoutException}s instead of a bare {@code TTransportException} around a socket's exception. The
 * request goes out in {@link #flush}, which also waits for the answer's status; the answer's body is read in
 * {@link #read}: either may time out.
 */
final class TimedHttpTransport extends THttpClient {
    private final String url;
    private final HttpTimeouts timeouts;

    /**
     * @param client null: {@code THttpClient}'s own connections (it applies {@code timeouts} to them), else an
     *     HTTP client whose connections have them ({@link #connections})
     */
    TimedHttpTransport(String url, HttpClient client, HttpTimeouts timeouts) throws TTransportException {
        super(ThriftLimits.INTERNAL.configuration(), url, client);
        this.url = url;
        this.timeouts = timeouts;
        setConnectTimeout(timeouts.connectTimeoutMillis());
        setReadTimeout(timeouts.readTimeoutMillis());
    }

    /** Pooled connections for an HTTP client that {@code THttpClient} is given, with {@code timeouts}. */
    static PoolingHttpClientConnectionManagerBuilder connections(HttpTimeouts timeouts) {
        return PoolingHttpClientConnectionManagerBuilder.create().setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(timeouts.connectTimeoutMillis(), TimeUnit.MILLISECONDS)
                .setSocketTimeout(timeouts.readTimeoutMillis(), TimeUnit.MILLISECONDS).build());
    }

    @Override
    public void flush() throws TTransportException {
        try {
            super.flush();
        } catch (TTransportException e) {
            throw typed(e);
        }
    }

    @Override
    public int read(byte[] buf, int off, int len) throws TTransportException {
        try {
            return super.read(buf, off, len);
        } catch (TTransportException e) {
            throw typed(e);
        }
    }

    private TTransportException typed(TTransportException failure) {
        Boolean connecting = timedOutConnecting(failure);
        if (connecting == null) {
            return failure;
        }
        return new HttpTimeoutException(url, connecting,
                connecting ? timeouts.connectTimeout() : timeouts.readTimeout(), failure);
    }

    /** Whether {@code failure} is a timeout while connecting (true) or reading (false); null if not a timeout. */
    static Boolean timedOutConnecting(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectTimeoutException) {
                return true;
            }
            if (cause instanceof SocketTimeoutException) {
                String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
                return message.contains("connect");
            }
        }
        return null;
    }
}
