package io.duet.admin.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's command that restarts one server, run by {@code bash -c} with a timeout. A template
 * with placeholders: {@code {name}} (the node's name, an application server's {@code server.id}),
 * {@code {host}}, {@code {kind}} ({@code application} or {@code presentation}) and {@code {pid}} (the
 * running process's id, known only for the local cluster). For example
 * {@code ssh {host} sudo systemctl restart duet-{kind}}, or the local cluster's
 * {@code kill -TERM {pid}}. Values are checked to be plain words, so that they cannot change the command.
 */
final class RestartCommand {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
    private static final List<String> KNOWN = List.of("name", "host", "kind", "pid");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:@-]+");

    /** What one run printed and how it ended. */
    record Result(int exitStatus, List<String> output) {
    }

    /** Runs a rendered command: {@link RestartCommand#run} for real, a fake process layer in unit tests. */
    interface Runner {
        /** @throws IOException when it cannot start, or did not end within {@code timeout} */
        Result run(String command, Duration timeout) throws IOException, InterruptedException;
    }

    private RestartCommand() {
    }

    /** {@code template}, if it is not blank and names only known placeholders. */
    static String check(String template) {
        if (template == null || template.isBlank()) {
            throw new IllegalArgumentException("restart command: empty (expected: a shell command such as "
                    + "'ssh {host} sudo systemctl restart duet-{kind}')");
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            if (!KNOWN.contains(matcher.group(1))) {
                throw new IllegalArgumentException("restart command: unknown placeholder {" + matcher.group(1)
                        + "} (known: {name}, {host}, {kind}, {pid})");
            }
        }
        return template;
    }

    /**
     * {@code template} for {@code node} running as {@code instance}.
     *
     * @throws IllegalArgumentException when it needs {@code {pid}} and the pid is unknown, or a value is
     *     not a plain word
     */
    static String render(String template, DeployNode node, DeployNode.Instance instance) {
        if (template.contains("{pid}") && !instance.pidKnown()) {
            throw new IllegalArgumentException("the restart command needs {pid}, but the pid of " + node.name()
                    + " is unknown (only a local cluster's is known): give --restart-command");
        }
        Map<String, String> values = Map.of("name", node.name(), "host", node.host(), "kind", node.kind().word(),
                "pid", Long.toString(instance.pid()));
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (!PLAIN.matcher(value).matches()) {
                throw new IllegalArgumentException("{" + matcher.group(1) + "} of " + node.name() + " is '" + value
                        + "': not a plain word, so not put into a shell command");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /**
     * Runs {@code command} with {@code bash -c}, its input empty; kills it after {@code timeout}.
     *
     * @throws IOException when it cannot start, or did not end within {@code timeout}
     */
    static Result run(String command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("duet-rolling-deploy-", ".out");
        try {
            Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IOException("it did not end within " + timeout.toSeconds() + " s (killed it); it printed: "
                        + String.join(" | ", lines(output)));
            }
            return new Result(process.exitValue(), lines(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
    }
}
