package io.duet.deploy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deploy artifacts as they are in {@code src/dist} (system property {@code duet.dist.sources}, set by
 * the pom), read the way the tests need them, and the external tools the tests run.
 */
final class DeployFiles {
    static final Path SOURCES = Path.of(System.getProperty("duet.dist.sources", "src/dist"));
    static final Path TEMPLATE = SOURCES.resolve("aws/duet-cloudformation.yaml");
    /**
     * The files {@code aws/duet-fetch-secrets} writes, relative to {@code /etc/duet}, by the setting that
     * names them in the settings the template's user data writes.
     */
    static final Map<String, String> SECRET_FILES = Map.of(
            "token.secret-file", "token-secret",
            "relay.tls.ca", "tls/ca.pem",
            "relay.tls.cert", "tls/relay.pem",
            "relay.tls.key", "tls/relay.key");

    private DeployFiles() {
    }

    /** What a command did. */
    record Run(int exitCode, String out, String err) {
        String output() {
            return out + err;
        }
    }

    /** The path of {@code tool} on the {@code PATH}; fails the test, saying how to install it, if absent. */
    static String require(String tool, String howToInstall) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("%s is not on the PATH: %s (.ci/run installs it)", tool, howToInstall);
    }

    /** Runs {@code command}, with {@code environment} added, for at most {@code timeout}. */
    static Run run(List<String> command, Map<String, String> environment, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("%s did not finish within %s", command, timeout);
        }
        return new Run(process.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** A systemd unit file: each section's keys, each with its values in order (a key may repeat). */
    static Map<String, Map<String, List<String>>> unit(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                section = sections.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int equals = trimmed.indexOf('=');
            assertThat(section).as("%s: %s is in a section", file, trimmed).isNotNull();
            assertThat(equals).as("%s: %s is key=value", file, trimmed).isPositive();
            section.computeIfAbsent(trimmed.substring(0, equals).strip(), k -> new ArrayList<>())
                    .add(trimmed.substring(equals + 1).strip());
        }
        return sections;
    }

    /** The one value of {@code key} in {@code section}. */
    static String value(Map<String, Map<String, List<String>>> unit, String section, String key) {
        List<String> values = unit.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
        assertThat(values).as("[%s] %s", section, key).hasSize(1);
        return values.get(0);
    }

    /** A value of the template's {@code Timing} mapping, e.g. {@code timing("Presentation", "DrainDeadline")}. */
    static String timing(String tier, String key) throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        Matcher mapping = Pattern.compile("(?ms)^Mappings:\\n  Timing:\\n(.*?)^\\S").matcher(template);
        assertThat(mapping.find()).as("the template's Mappings: Timing").isTrue();
        Matcher tierBlock = Pattern.compile("(?ms)^    " + tier + ":\\n((?:      .*\\n)+)").matcher(mapping.group(1));
        assertThat(tierBlock.find()).as("Timing: %s", tier).isTrue();
        Matcher entry = Pattern.compile("(?m)^      " + key + ": (\\S+)$").matcher(tierBlock.group(1));
        assertThat(entry.find()).as("Timing: %s: %s", tier, key).isTrue();
        return entry.group(1);
    }

    /** {@code 45s}, {@code 10min}, {@code 2m} or a bare number of seconds, in seconds. */
    static long seconds(String duration) {
        Matcher matcher = Pattern.compile("(\\d+)\\s*(ms|s|sec|min|m|h)?").matcher(duration.strip());
        assertThat(matcher.matches()).as("a duration: %s", duration).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> amount / 1000;
            case "s", "sec" -> amount;
            case "min", "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}
