package io.duet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * What the bench's command-line programs ({@code bin/duet-load}, {@code bin/duet-handshakes}) share (their options are {@link BenchOptions}): a
 * local cluster's configuration files, and the min/median/max of repeated runs.
 */
final class BenchMains {
    private BenchMains() {
    }

    /**
     * File {@code conf/NAME} of the local cluster whose data directory is {@code clusterDir}; fails with
     * "not a local cluster's data directory" if it cannot be read.
     */
    static Properties localClusterConf(Path clusterDir, String name) {
        Path file = clusterDir.resolve("conf").resolve(name);
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a local cluster's data directory (no " + file + "): " + e.getMessage());
        }
        return properties;
    }

    /** The smallest, the median and the largest of {@code values}, which must not be empty. */
    static double[] minMedianMax(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new double[] {sorted.get(0), median, sorted.get(n - 1)};
    }
}
