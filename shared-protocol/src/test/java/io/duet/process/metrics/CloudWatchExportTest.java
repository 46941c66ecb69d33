package io.duet.process.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CloudWatch export publishes to an endpoint: a stand-in on 127.0.0.1 takes PutMetricData as the AWS SDK
 * sends it (Smithy RPC v2 CBOR, or the older AWS query protocol) and records the namespace, the metric names
 * and their dimensions, which must be the configured ones.
 */
class CloudWatchExportTest {
    /** One PutMetricData as the stand-in understood it. */
    record Put(String namespace, List<Datum> data) {
    }

    record Datum(String name, Map<String, String> dimensions) {
    }

    private final List<Put> puts = new CopyOnWriteArrayList<>();
    private final List<String> unreadable = new CopyOnWriteArrayList<>();
    private final Map<String, String> savedProperties = new HashMap<>();
    private HttpServer endpoint;

    @BeforeEach
    void startEndpoint() throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/", this::handle);
        endpoint.start();
        // The SDK signs its requests; any credentials do for the stand-in.
        for (String key : List.of("aws.accessKeyId", "aws.secretAccessKey")) {
            savedProperties.put(key, System.getProperty(key));
            System.setProperty(key, "stand-in");
        }
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.stop(0);
        savedProperties.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            }
        }
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        String path = exchange.getRequestURI().getPath();
        try {
            if (contentType.startsWith("application/cbor") && path.endsWith("/operation/PutMetricData")) {
                puts.add(fromCbor(CborReader.read(body)));
                exchange.getResponseHeaders().add("smithy-protocol", "rpc-v2-cbor");
                exchange.getResponseHeaders().add("Content-Type", "application/cbor");
                byte[] emptyMap = {(byte) 0xa0};
                exchange.sendResponseHeaders(200, emptyMap.length);
                exchange.getResponseBody().write(emptyMap);
            } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
                puts.add(fromQuery(new String(body, StandardCharsets.UTF_8)));
                byte[] reply = ("<PutMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                        + "<ResponseMetadata><RequestId>stand-in</RequestId></ResponseMetadata></PutMetricDataResponse>")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "text/xml");
                exchange.sendResponseHeaders(200, reply.length);
                exchange.getResponseBody().write(reply);
            } else {
                unreadable.add(exchange.getRequestMethod() + " " + path + " " + contentType);
                exchange.sendResponseHeaders(400, -1);
            }
        } catch (RuntimeException e) {
            unreadable.add(path + " " + contentType + ": " + e);
            exchange.sendResponseHeaders(400, -1);
        } finally {
            exchange.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Put fromCbor(Object document) {
        Map<Object, Object> request = (Map<Object, Object>) document;
        List<Datum> data = new ArrayList<>();
        for (Object item : (List<Object>) request.getOrDefault("MetricData", List.of())) {
            Map<Object, Object> datum = (Map<Object, Object>) item;
            Map<String, String> dimensions = new LinkedHashMap<>();
            for (Object dimension : (List<Object>) datum.getOrDefault("Dimensions", List.of())) {
                Map<Object, Object> pair = (Map<Object, Object>) dimension;
                dimensions.put((String) pair.get("Name"), (String) pair.get("Value"));
            }
            data.add(new Datum((String) datum.get("MetricName"), dimensions));
        }
        return new Put((String) request.get("Namespace"), data);
    }

    /** {@code MetricData.member.1.MetricName=...&MetricData.member.1.Dimensions.member.1.Name=...} */
    private static Put fromQuery(String form) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : form.split("&")) {
            int equals = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        List<Datum> data = new ArrayList<>();
        for (int i = 1; fields.containsKey("MetricData.member." + i + ".MetricName"); i++) {
            String prefix = "MetricData.member." + i + ".";
            Map<String, String> dimensions = new LinkedHashMap<>();
            for (int d = 1; fields.containsKey(prefix + "Dimensions.member." + d + ".Name"); d++) {
                dimensions.put(fields.get(prefix + "Dimensions.member." + d + ".Name"),
                        fields.get(prefix + "Dimensions.member." + d + ".Value"));
            }
            data.add(new Datum(fields.get(prefix + "MetricName"), dimensions));
        }
        return new Put(fields.get("Namespace"), data);
    }

    @Test
    void theConfiguredNamespaceAndDimensionsReachTheEndpointWithTheChosenMetersOnly() throws Exception {
        MetricsSettings settings = MetricsSettings.builder()
                .cloudWatchEnabled(true)
                .namespace("DuetTest/Export")
                .dimensions(Map.of("cluster", "ci", "node", "app-7"))
                .step(Duration.ofSeconds(1))
                .meters(List.of("duet."))
                .region("eu-west-1")
                .endpoint(URI.create("http://127.0.0.1:" + endpoint.getAddress().getPort()))
                .build();

        try (CloudWatchExport export = CloudWatchExport.start(settings).orElseThrow()) {
            MeterRegistry registry = export.registry();
            registry.counter("duet.test.sends", "method", "sendMessage").increment(3);
            registry.counter("other.meter").increment();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sent("duet.test.sends").isEmpty() && unreadable.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }

        assertThat(unreadable).as("requests the stand-in could not read").isEmpty();
        assertThat(puts).as("PutMetricData requests").isNotEmpty();
        assertThat(puts).extracting(Put::namespace).containsOnly("DuetTest/Export");
        List<Datum> sends = sent("duet.test.sends");
        assertThat(sends).as("data of duet.test.sends").isNotEmpty();
        for (Datum datum : sends) {
            assertThat(datum.dimensions()).containsEntry("cluster", "ci").containsEntry("node", "app-7")
                    .containsEntry("method", "sendMessage");
        }
        assertThat(puts.stream().flatMap(put -> put.data().stream()).map(Datum::name))
                .as("only meters named by metrics.cloudwatch.meters").allMatch(name -> name.startsWith("duet."));
    }

    private List<Datum> sent(String metricPrefix) {
        return puts.stream().flatMap(put -> put.data().stream())
                .filter(datum -> datum.name() != null && datum.name().startsWith(metricPrefix)).toList();
    }
}
