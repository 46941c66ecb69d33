package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another team's client: Debian's stock Thrift compiler generates a Python client from the API's IDL,
 * and {@code src/test/python/thrift_interop.py}, run by Debian's Python with Debian's
 * {@code python3-thrift}, signs up, pairs, chats, uploads a photo (its bytes PUT to the presigned S3 URL,
 * then downloaded from the presigned GET URL) and edits a memo through the cluster's one HTTP endpoint with
 * the binary, compact and JSON protocols. Both are Debian's on purpose (by full path:
 * {@code /usr/local/bin/thrift} is the newer compiler for the Java, and {@code python3} on the PATH may
 * be another Python without the Thrift library), so nothing of this project's own stack helps the client.
 */
class PythonClientIT {
    static final Path THRIFT = Path.of("/usr/bin/thrift");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path API_IDL = Path.of("../shared-protocol/src/main/thrift/api");
    private static final Path SCRIPT = Path.of("src/test/python/thrift_interop.py");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

    @Test
    void stockPythonClientWorksWithEveryProtocol(@TempDir Path scratch) throws Exception {
        assertThat(THRIFT).as("needs Debian's thrift-compiler: apt-get install thrift-compiler (.ci/run does)")
                .isExecutable();
        assertThat(PYTHON).as("needs Debian's python3 and python3-thrift (.ci/run installs them)").isExecutable();
        LocalCluster cluster = SharedCluster.get();

        Path generated = Files.createDirectories(scratch.resolve("gen-py"));
        for (Path idl : apiIdl()) {
            Run compile = run(List.of(THRIFT.toString(), "--gen", "py", "-out", generated.toString(), idl.toString()),
                    scratch.resolve("thrift.log"), Duration.ofSeconds(60));
            assertThat(compile.exitCode).as("thrift --gen py " + idl + ":\n" + compile.output).isZero();
        }

        Run client = run(List.of(PYTHON.toString(), SCRIPT.toString(),
                "--endpoint", cluster.clientEndpoint().http().toString(), "--generated", generated.toString()),
                scratch.resolve("python.log"), SCRIPT_TIMEOUT);
        System.out.println("thrift_interop.py said:\n" + client.output);
        assertThat(client.exitCode).as("thrift_interop.py exit status; it said:\n" + client.output).isZero();
        assertThat(client.output).contains("[binary] passed", "[compact] passed", "[json] passed")
                .contains("[binary] photo ", "[compact] photo ", "[json] photo ");
    }

    private static List<Path> apiIdl() throws IOException {
        try (Stream<Path> files = Files.list(API_IDL)) {
            List<Path> idl = files.filter(f -> f.toString().endsWith(".thrift")).sorted().collect(Collectors.toList());
            assertThat(idl).as("the API's IDL files in " + API_IDL.toAbsolutePath()).isNotEmpty();
            return idl;
        }
    }

    private record Run(int exitCode, String output) {
    }

    /** Runs {@code command} with its output in {@code log}; a process still running after {@code timeout} is killed. */
    private static Run run(List<String> command, Path log, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Debian's Python with its own library path only: no virtualenv or pyenv setting leaks in.
        builder.environment().keySet().removeIf(name -> name.startsWith("PYTHON") || name.equals("VIRTUAL_ENV"));
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return new Run(-1, "(killed after " + timeout + ")\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
