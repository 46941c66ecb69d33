package io.duet.process.metrics;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClientBuilder;

/**
 * Sends a server's meters to Amazon CloudWatch every step, from a thread of its own: a registry to add
 * beside the Prometheus one. Made only when {@link MetricsSettings#cloudWatchEnabled()}: the AWS client
 * (and its threads) never exists otherwise. {@link #close()} sends what is left and closes the client.
 */
public final class CloudWatchExport implements AutoCloseable {
    private final CloudWatchAsyncClient client;
    private final CloudWatchMeterRegistry registry;

    private CloudWatchExport(CloudWatchAsyncClient client, CloudWatchMeterRegistry registry) {
        this.client = client;
        this.registry = registry;
    }

    /** The export {@code settings} ask for; empty when CloudWatch is off. */
    public static Optional<CloudWatchExport> start(MetricsSettings settings) {
        if (!settings.cloudWatchEnabled) {
            return Optional.empty();
        }
        CloudWatchAsyncClientBuilder builder = CloudWatchAsyncClient.builder();
        if (settings.region != null) {
            builder.region(Region.of(settings.region));
        }
        if (settings.endpoint != null) {
            builder.endpointOverride(settings.endpoint);
        }
        CloudWatchAsyncClient client = builder.build();
        try {
            CloudWatchMeterRegistry registry = new CloudWatchMeterRegistry(config(settings), Clock.SYSTEM, client);
            List<Tag> dimensions = new ArrayList<>();
            settings.dimensions.forEach((name, value) -> dimensions.add(Tag.of(name, value)));
            registry.config().commonTags(dimensions).meterFilter(onlyNamed(settings.meters));
            return Optional.of(new CloudWatchExport(client, registry));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** Keeps the meters whose names start with one of {@code prefixes}, and denies the rest. */
    static MeterFilter onlyNamed(List<String> prefixes) {
        List<String> kept = List.copyOf(prefixes);
        Predicate<String> named = name -> kept.stream().anyMatch(name::startsWith);
        return MeterFilter.denyUnless(id -> named.test(id.getName()));
    }

    private static CloudWatchConfig config(MetricsSettings settings) {
        return new CloudWatchConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String namespace() {
                return settings.namespace;
            }

            @Override
            public java.time.Duration step() {
                return settings.step;
            }
        };
    }

    /** The registry to add to the server's composite. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Sends the last step's meters, stops the registry's thread and closes the AWS client. Idempotent. */
    @Override
    public void close() {
        if (!registry.isClosed()) {
            registry.close();
        }
        client.close();
    }
}
