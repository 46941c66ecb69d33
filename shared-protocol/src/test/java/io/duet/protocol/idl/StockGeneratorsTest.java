package io.duet.protocol.idl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every IDL file goes through Debian's stock Thrift compiler ({@code thrift-compiler}, 0.17, at
 * {@value #DEBIAN_THRIFT}) for the languages clients are likely to be written in, without an error or a
 * warning. That compiler refuses names that are a keyword of any of its languages (a field named
 * {@code self} or {@code service}, say), which the newer compiler that generates the Java lets through,
 * so a name that would break some other team's client fails here first.
 */
class StockGeneratorsTest {
    /** Debian's compiler by its full path: {@code /usr/local/bin/thrift} is the newer one for the Java. */
    static final String DEBIAN_THRIFT = "/usr/bin/thrift";
    private static final Path IDL = Path.of("src/main/thrift");
    private static final List<String> LANGUAGES = List.of(
            "py", "js", "go", "rb", "cpp", "netstd", "java", "swift", "kotlin", "dart", "rs", "php", "erl", "delphi");

    @Test
    void everyIdlFileGeneratesCleanlyInEveryLanguage(@TempDir Path scratch) throws Exception {
        assertThat(Path.of(DEBIAN_THRIFT))
                .as("needs Debian's thrift-compiler: apt-get install thrift-compiler (.ci/run does)")
                .isExecutable();
        List<Path> files = idlFiles();
        assertThat(files).hasSizeGreaterThan(5);
        List<String> problems = new ArrayList<>();
        for (String language : LANGUAGES) {
            Path out = Files.createDirectories(scratch.resolve(language));
            for (Path file : files) {
                problems.addAll(generate(language, file, out));
            }
        }
        assertThat(problems).as("the stock compiler's complaints").isEmpty();
    }

    @Test
    void aKeywordOfAnotherLanguageIsCaught(@TempDir Path scratch) throws Exception {
        Path idl = Files.writeString(scratch.resolve("bad.thrift"), "struct Bad {\n  1: string self,\n}\n");
        assertThat(generate("py", idl, scratch)).as("the check would catch the field named self").isNotEmpty();
    }

    /** What the compiler said of one file in one language, if it failed or warned; empty when clean. */
    private static List<String> generate(String language, Path file, Path out) throws IOException, InterruptedException {
        Path log = out.resolve("thrift.log");
        Process process = new ProcessBuilder(DEBIAN_THRIFT, "--gen", language, "-out", out.toString(), file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return List.of(language + " " + file + ": no answer in 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 || output.contains("[WARNING") || output.contains("[ERROR")
                || output.contains("[FAILURE")) {
            return List.of(language + " " + file + " (exit " + process.exitValue() + "): " + output.trim());
        }
        return List.of();
    }

    private static List<Path> idlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(IDL)) {
            return files.filter(f -> f.toString().endsWith(".thrift")).sorted().collect(Collectors.toList());
        }
    }
}
