package io.duet.protocol.idl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every IDL file goes through Debian's stock Thrift compiler ({@code thrift-compiler}, 0.17, at
 * {@value #DEBIAN_THRIFT}) for the languages clients are likely to be written in, without an error or a
 * warning, and the Python it generates compiles with Debian's {@value #DEBIAN_PYTHON}. Most of that
 * compiler's generators refuse a name that is a keyword of any of its languages (a field named
 * {@code self} or {@code service}, say), which the newer compiler that generates the Java lets through;
 * its Python generator does not, and writes {@code def __init__(self, self=None)}, which the byte
 * compilation catches. So a name that would break some other team's client fails here first.
 */
class StockGeneratorsTest {
    /** Debian's compiler by its full path: {@code /usr/local/bin/thrift} is the newer one for the Java. */
    static final String DEBIAN_THRIFT = "/usr/bin/thrift";
    /** Debian's Python by its full path: {@code python3} on the PATH may be another one. */
    static final String DEBIAN_PYTHON = "/usr/bin/python3";
    private static final Path IDL = Path.of("src/main/thrift");
    private static final List<String> LANGUAGES = List.of(
            "py", "js", "go", "rb", "cpp", "netstd", "java", "swift", "kotlin", "dart", "rs", "php", "erl", "delphi");

    @Test
    void everyIdlFileGeneratesCleanlyInEveryLanguage(@TempDir Path scratch) throws Exception {
        List<Path> files = idlFiles();
        assertThat(files).hasSizeGreaterThan(5);
        assertThat(problems(files, LANGUAGES, scratch)).as("the stock compiler's complaints").isEmpty();
        try (Stream<Path> generated = Files.walk(scratch.resolve("py"))) {
            assertThat(generated.filter(f -> f.endsWith("ttypes.py")).count())
                    .as("one Python package per IDL file (namespace py duet.DIR.FILE), none overwritten")
                    .isEqualTo(files.size());
        }
    }

    @Test
    void aFieldNamedSelfIsCaught(@TempDir Path scratch) throws Exception {
        Path idl = Files.writeString(scratch.resolve("bad.thrift"), "struct Bad {\n  1: string self,\n}\n");
        for (String language : List.of("py", "go", "java")) {
            assertThat(problems(List.of(idl), List.of(language), scratch.resolve(language)))
                    .as("a field named self in " + language).isNotEmpty();
        }
    }

    /** What went wrong generating {@code files} in {@code languages} under {@code scratch}; empty when all is clean. */
    private static List<String> problems(List<Path> files, List<String> languages, Path scratch)
            throws IOException, InterruptedException {
        assertThat(Path.of(DEBIAN_THRIFT))
                .as("needs Debian's thrift-compiler: apt-get install thrift-compiler (.ci/run does)")
                .isExecutable();
        List<String> problems = new ArrayList<>();
        for (String language : languages) {
            Path out = Files.createDirectories(scratch.resolve(language));
            for (Path file : files) {
                run(List.of(DEBIAN_THRIFT, "--gen", language, "-out", out.toString(), file.toString()), out)
                        .ifPresent(problem -> problems.add(language + " " + file + ": " + problem));
            }
            if (language.equals("py")) {
                assertThat(Path.of(DEBIAN_PYTHON)).as("needs Debian's python3 (.ci/run installs it)").isExecutable();
                run(List.of(DEBIAN_PYTHON, "-m", "compileall", "-q", out.toString()), out)
                        .ifPresent(problem -> problems.add("the generated Python does not compile: " + problem));
            }
        }
        return problems;
    }

    /** What {@code command} said, if it failed or warned; empty when it was clean. */
    private static Optional<String> run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path log = dir.resolve("output.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("PYTHON"));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return Optional.of("no answer in 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 || output.contains("[WARNING") || output.contains("[ERROR")
                || output.contains("[FAILURE")) {
            return Optional.of("exit " + process.exitValue() + ": " + output.trim());
        }
        return Optional.empty();
    }

    private static List<Path> idlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(IDL)) {
            return files.filter(f -> f.toString().endsWith(".thrift")).sorted().collect(Collectors.toList());
        }
    }
}
