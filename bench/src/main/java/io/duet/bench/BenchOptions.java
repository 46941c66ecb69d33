package io.duet.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of a bench program: options that take a value ({@code --runs 3}) and flags that take
 * none ({@code --quiet}), each given at most once; {@code -h} and {@code --help} ask for the usage. The typed
 * getters return a default for an option not given. Every mistake (an unknown option, a missing or malformed
 * value, an option given twice) is an {@link IllegalArgumentException} whose message names the option, which
 * the programs print above their usage with exit status 2.
 */
public final class BenchOptions {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final boolean help;

    private BenchOptions(String[] args, Set<String> valued, Set<String> flagNames) {
        boolean helpAsked = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                helpAsked = true;
            } else if (valued.contains(arg)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(arg + " needs a value");
                }
                if (values.put(arg, args[++i]) != null) {
                    throw new IllegalArgumentException(arg + " is given twice");
                }
            } else if (flagNames.contains(arg)) {
                if (!flags.add(arg)) {
                    throw new IllegalArgumentException(arg + " is given twice");
                }
            } else {
                throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        this.help = helpAsked;
    }

    /** Reads {@code args}: {@code valued} are the options that take a value, {@code flags} those that do not. */
    public static BenchOptions parse(String[] args, List<String> valued, List<String> flags) {
        return new BenchOptions(args, Set.copyOf(valued), Set.copyOf(flags));
    }

    /** Whether {@code -h} or {@code --help} was given. */
    public boolean help() {
        return help;
    }

    /** Whether the flag {@code name} was given. */
    public boolean has(String name) {
        return flags.contains(name) || values.containsKey(name);
    }

    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    public Path path(String name, Path defaultValue) {
        String value = values.get(name);
        return value == null ? defaultValue : Path.of(value);
    }

    public int integer(String name, int defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a whole number: " + value);
        }
    }

    public double decimal(String name, double defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a number: " + value);
        }
    }

    /** A duration given in seconds, fractions allowed ({@code --duration 2.5}). */
    public Duration seconds(String name, Duration defaultValue) {
        return values.containsKey(name) ? Duration.ofMillis(Math.round(decimal(name, 0) * 1000)) : defaultValue;
    }
}
