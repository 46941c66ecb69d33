package io.duet.protocol.idl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails when the IDL changed but the committed Java was not regenerated with
 * {@code scripts/generate-thrift.sh}, which records the IDL's fingerprint in {@code IDL.sha256}.
 */
class GeneratedCodeIsCurrentTest {
    private static final Path IDL = Path.of("src/main/thrift");
    private static final Path GENERATED = Path.of("src/main/gen-java");

    @Test
    void committedCodeWasGeneratedFromTheCurrentIdl() throws Exception {
        List<String> recorded = Files.readAllLines(GENERATED.resolve("IDL.sha256")).stream()
                .filter(line -> !line.startsWith("#"))
                .collect(Collectors.toList());
        assertThat(fingerprintOf(IDL))
                .as("the IDL changed after the code was generated: run shared-protocol/scripts/generate-thrift.sh")
                .isEqualTo(recorded);
    }

    @Test
    void regeneratingWithTheLocalCompilerChangesNothing(@TempDir Path scratch) throws Exception {
        Path thrift = localCompiler();
        Assumptions.assumeTrue(thrift != null, "no Thrift compiler >= 0.21 on PATH; the fingerprint test covers CI");
        Path out = scratch.resolve("gen-java");
        Files.createDirectories(out);
        for (Path file : idlFiles(IDL)) {
            Process process = new ProcessBuilder(thrift.toString(), "--gen",
                    "java:private_members,generated_annotations=suppress", "-out", out.toString(), file.toString())
                    .redirectErrorStream(true).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();
        }
        for (Path generated : javaFiles(out)) {
            Path committed = GENERATED.resolve(out.relativize(generated).toString());
            assertThat(committed).as("generated file missing from the commit").exists();
            assertThat(Files.readString(committed)).as(committed.toString()).isEqualTo(Files.readString(generated));
        }
        assertThat(javaFiles(GENERATED)).hasSameSizeAs(javaFiles(out));
    }

    /** The same lines as {@code sha256sum ./relative/path} run from the IDL directory. */
    static List<String> fingerprintOf(Path idl) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path file : idlFiles(idl)) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            String relative = idl.relativize(file).toString().replace('\\', '/');
            lines.add(HexFormat.of().formatHex(digest) + "  ./" + relative);
        }
        return lines;
    }

    private static List<Path> idlFiles(Path idl) throws IOException {
        try (Stream<Path> files = Files.walk(idl)) {
            return files.filter(f -> f.toString().endsWith(".thrift"))
                    .sorted((a, b) -> compareBytes(idl.relativize(a).toString(), idl.relativize(b).toString()))
                    .collect(Collectors.toList());
        }
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        }
    }

    /** The order of {@code LC_ALL=C sort}. */
    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(("./" + a).getBytes(StandardCharsets.UTF_8),
                ("./" + b).getBytes(StandardCharsets.UTF_8));
    }

    private static Path localCompiler() throws Exception {
        String override = System.getenv("THRIFT");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = override != null ? Path.of(override) : Path.of(dir, "thrift");
            if (Files.isExecutable(candidate)) {
                Process process = new ProcessBuilder(candidate.toString(), "--version").start();
                String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                process.waitFor(10, TimeUnit.SECONDS);
                String[] numbers = version.replaceAll("[^0-9.]", "").split("\\.");
                if (numbers.length >= 2 && (Integer.parseInt(numbers[0]) > 0 || Integer.parseInt(numbers[1]) >= 21)) {
                    return candidate;
                }
                return null;
            }
        }
        return null;
    }
}
