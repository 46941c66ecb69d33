package io.duet.settings;

import io.duet.net.AddressRanges;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Immutable key-value settings. A key such as {@code zookeeper.connect} is read from the environment
 * variable {@code DUET_ZOOKEEPER_CONNECT} if set, else from the properties file, else the caller's
 * default. Durations are written like {@code 500ms}, {@code 10s}, {@code 5m} or {@code 1h}.
 */
public final class Settings {
    private static final String ENV_PREFIX = "DUET_";
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Map<String, String> fileValues;
    private final Map<String, String> environment;
    private final String source;
    /** The properties file the values were read from; null if none. */
    private final Path file;

    private Settings(Map<String, String> fileValues, Map<String, String> environment, String source, Path file) {
        this.fileValues = fileValues;
        this.environment = environment;
        this.source = source;
        this.file = file;
    }

    /** Settings from {@code file} (if not null) and the process environment. */
    public static Settings load(Path file) {
        return load(file, System.getenv());
    }

    public static Settings load(Path file, Map<String, String> environment) {
        Map<String, String> values = new TreeMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new SettingsException("cannot read settings file " + file + ": " + e.getMessage(), e);
            }
            properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key).trim()));
        }
        return new Settings(Map.copyOf(values), Map.copyOf(environment),
                file == null ? "the environment" : file.toString(), file);
    }

    /** Settings from a map, for tests and embedding; the environment is ignored. */
    public static Settings of(Map<String, String> values) {
        return new Settings(Map.copyOf(values), Map.of(), "the given values", null);
    }

    /** The environment variable that overrides {@code key}. */
    public static String environmentVariableOf(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The properties file {@code key}'s value is read from; empty if it is unset or set in the environment. */
    public Optional<Path> fileOf(String key) {
        String fromEnvironment = environment.get(environmentVariableOf(key));
        if (file == null || fromEnvironment != null && !fromEnvironment.isBlank()) {
            return Optional.empty();
        }
        String value = fileValues.get(key);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(file);
    }

    private String raw(String key) {
        String fromEnvironment = environment.get(environmentVariableOf(key));
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment.trim();
        }
        String value = fileValues.get(key);
        return value == null || value.isEmpty() ? null : value;
    }

    public boolean has(String key) {
        return raw(key) != null;
    }

    /** A required setting. */
    public String string(String key) {
        String value = raw(key);
        if (value == null) {
            throw new SettingsException(key + ": missing (set it in " + source + " or as "
                    + environmentVariableOf(key) + ')');
        }
        return value;
    }

    public String string(String key, String defaultValue) {
        String value = raw(key);
        return value == null ? defaultValue : value;
    }

    public int integer(String key, int defaultValue) {
        String value = raw(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SettingsException(key + ": " + value + " (expected: an integer)", e);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = raw(key);
        if (value == null) {
            return defaultValue;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new SettingsException(key + ": " + value + " (expected: true or false)");
    }

    public Duration duration(String key, Duration defaultValue) {
        String value = raw(key);
        if (value == null) {
            return defaultValue;
        }
        Matcher matcher = DURATION.matcher(value.toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new SettingsException(key + ": " + value + " (expected: a duration such as 500ms, 10s, 5m)");
        }
        long amount = Long.parseLong(matcher.group(1));
        switch (matcher.group(2)) {
            case "ms":
                return Duration.ofMillis(amount);
            case "s":
                return Duration.ofSeconds(amount);
            case "m":
                return Duration.ofMinutes(amount);
            case "h":
                return Duration.ofHours(amount);
            default:
                return Duration.ofDays(amount);
        }
    }

    /** A comma-separated list; empty when unset. */
    public List<String> list(String key) {
        String value = raw(key);
        List<String> items = new ArrayList<>();
        if (value != null) {
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.trim());
                }
            }
        }
        return List.copyOf(items);
    }

    /** A comma-separated list of IP addresses and CIDR ranges ({@link AddressRanges}); none when unset. */
    public AddressRanges addressRanges(String key) {
        try {
            return AddressRanges.parse(list(key));
        } catch (IllegalArgumentException e) {
            throw new SettingsException(key + ": " + e.getMessage() + " (expected: IP addresses and CIDR ranges)", e);
        }
    }

    /** Every key set in the file, with its effective value; values of secret keys are hidden. */
    public Map<String, String> describe() {
        Map<String, String> described = new TreeMap<>();
        for (String key : fileValues.keySet()) {
            boolean secret = key.contains("secret") || key.contains("password");
            described.put(key, secret ? "(hidden)" : raw(key));
        }
        return described;
    }
}
