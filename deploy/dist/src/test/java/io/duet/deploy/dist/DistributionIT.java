package io.duet.deploy.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Unpacks the real tarball ({@code mvn package} built it before {@code integration-test}) and checks every
 * program in its {@code bin/}: the script is run with a stand-in {@code java} first on the {@code PATH} that
 * records its command line; then a fresh JVM with that command line's options and classpath, plus
 * {@link ClasspathProbe} alone, loads the program's main class, its key dependencies and every class of
 * its jar, and reports the effective classpath (the {@code -cp} jars and their manifests' {@code Class-Path}),
 * each entry of which must exist. {@code bin/duet-admin} also runs for real.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DistributionIT {
    /**
     * Every program the tarball ships: its main class, its jar, whether it talks to HBase (through
     * hbase-shaded-client), and classes of its key dependencies.
     */
    private static final Map<String, Program> PROGRAMS = Map.of(
            "application-server", new Program("io.duet.app.ApplicationServerMain", "duet-application-server.jar",
                    true, List.of(
                    "org.apache.hadoop.hbase.client.ConnectionFactory",
                    "org.apache.curator.framework.recipes.cache.CuratorCache",
                    "org.apache.zookeeper.ZooKeeper",
                    "io.netty.handler.timeout.IdleStateHandler",
                    "io.netty.channel.epoll.Epoll",
                    "org.apache.thrift.TBase",
                    "org.xerial.snappy.Snappy",
                    "com.google.common.collect.ImmutableList",
                    "org.bouncycastle.crypto.generators.Argon2BytesGenerator",
                    "io.netty.handler.codec.http.HttpServerCodec",
                    "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
                    "io.duet.process.admin.AdminServer",
                    "ch.qos.logback.classic.Logger")),
            "presentation-server", new Program("io.duet.presentation.PresentationServerMain",
                    "duet-presentation-server.jar", false, List.of(
                    "org.apache.curator.framework.recipes.cache.CuratorCache",
                    "org.apache.zookeeper.ZooKeeper",
                    "io.netty.handler.codec.http.HttpServerCodec",
                    "io.netty.handler.timeout.IdleStateHandler",
                    "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
                    "io.duet.process.admin.AdminServer",
                    "org.apache.thrift.TBase",
                    "org.xerial.snappy.Snappy",
                    "com.google.common.collect.ImmutableList",
                    "ch.qos.logback.classic.Logger")),
            "duet-admin", new Program("io.duet.admin.DuetAdmin", "duet-admin.jar", true, List.of(
                    "org.apache.hadoop.hbase.client.ConnectionFactory",
                    "org.apache.curator.framework.CuratorFramework",
                    "org.apache.zookeeper.ZooKeeper",
                    "org.apache.thrift.TBase",
                    "ch.qos.logback.classic.Logger")));

    /** Options of {@code java} that take the next argument as their value. */
    private static final Set<String> VALUED_OPTIONS = Set.of("-cp", "-classpath", "--class-path", "-p", "--module-path",
            "--add-opens", "--add-exports", "--add-reads", "--add-modules", "--upgrade-module-path");

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    static Path work;
    static Path home;
    static Path probe;
    static Path recordingJava;

    private record Program(String mainClass, String jar, boolean hbaseClient, List<String> keyClasses) {
    }

    private record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("duet.dist.tarball", "target/duet-bin.tar.gz"));
        assertThat(tarball).as("the tarball `mvn package` builds in deploy/dist").isRegularFile();
        Path unpacked = Files.createDirectories(work.resolve("unpacked"));
        Run tar = run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), Map.of());
        assertThat(tar.exitCode()).as("tar: %s", tar.err()).isZero();
        try (Stream<Path> top = Files.list(unpacked)) {
            List<Path> dirs = top.toList();
            assertThat(dirs).as("one top-level directory").hasSize(1);
            home = dirs.get(0);
        }

        // The probe's class file, alone in a directory, so that the programs' classpaths are all else.
        probe = work.resolve("probe");
        Path probeClass = probe.resolve(ClasspathProbe.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(probeClass.getParent());
        try (InputStream in = ClasspathProbe.class.getResourceAsStream("ClasspathProbe.class")) {
            Files.copy(in, probeClass);
        }

        // A `java` that writes its arguments, each followed by a NUL, to $DUET_RECORDED_ARGS.
        Path fakeBin = Files.createDirectories(work.resolve("fake-jdk/bin"));
        recordingJava = fakeBin.resolve("java");
        Files.writeString(recordingJava, "#!/bin/sh\nprintf '%s\\0' \"$@\" > \"$DUET_RECORDED_ARGS\"\n");
        Files.setPosixFilePermissions(recordingJava, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static Set<String> programs() {
        return PROGRAMS.keySet();
    }

    @Test
    void binHoldsTheServersAndTheAdminToolAndNothingUnchecked() throws IOException {
        Set<String> scripts = new TreeSet<>();
        try (Stream<Path> bin = Files.list(home.resolve("bin"))) {
            bin.forEach(script -> {
                assertThat(script).as("executable").isExecutable();
                scripts.add(script.getFileName().toString());
            });
        }
        assertThat(scripts).as("every program in bin/ is checked here").isEqualTo(new TreeSet<>(PROGRAMS.keySet()));
        assertThat(home.resolve("conf/application-server.properties")).isRegularFile();
        assertThat(home.resolve("conf/presentation-server.properties")).isRegularFile();
        assertThat(home.resolve("conf/logback.xml")).isRegularFile();
    }

    /** The deploy artifacts (SystemdUnitsTest and the others check their content) ship, scripts executable. */
    @Test
    void theSystemdUnitsAndTheAwsTemplateShipWithExecutableScripts() {
        for (String file : List.of("systemd/duet-presentation.service", "systemd/duet-application.service",
                "aws/duet-scale-in-hook@.service", "aws/duet-cloudformation.yaml")) {
            assertThat(home.resolve(file)).isRegularFile().isNotEmptyFile();
        }
        assertThat(home.resolve("systemd/duet-await-ready")).isExecutable();
        assertThat(home.resolve("aws/duet-scale-in-hook")).isExecutable();
    }

    @ParameterizedTest(name = "bin/{0}")
    @MethodSource("programs")
    void theClasspathTheScriptUsesLoadsTheProgramAndItsDependencies(String name) throws Exception {
        Program program = PROGRAMS.get(name);
        List<String> command = recordedJavaCommand(name);

        int mainIndex = mainClassIndex(command);
        assertThat(command.get(mainIndex)).as("bin/%s's main class", name).isEqualTo(program.mainClass());
        List<String> probeCommand = new ArrayList<>();
        probeCommand.add(JAVA);
        boolean classpathSeen = false;
        for (int i = 0; i < mainIndex; i++) {
            String arg = command.get(i);
            probeCommand.add(arg);
            if (Set.of("-cp", "-classpath", "--class-path").contains(arg)) {
                probeCommand.add(command.get(++i) + File.pathSeparator + probe);
                classpathSeen = true;
            } else if (VALUED_OPTIONS.contains(arg)) {
                probeCommand.add(command.get(++i));
            }
        }
        assertThat(classpathSeen).as("bin/%s passes -cp: %s", name, command).isTrue();
        probeCommand.add(ClasspathProbe.class.getName());
        probeCommand.add(program.mainClass());
        probeCommand.addAll(program.keyClasses());

        Run probed = run(probeCommand, Map.of());
        assertThat(probed.exitCode()).as("the probe on bin/%s's classpath:\n%s%s", name, probed.out(), probed.err())
                .isZero();
        List<String> lines = probed.out().lines().toList();
        assertThat(lines.get(lines.size() - 1)).startsWith("ok ");
        List<Path> entries = lines.stream().filter(line -> line.startsWith("entry "))
                .map(line -> Path.of(line.substring("entry ".length()))).toList();
        assertThat(entries).as("bin/%s's classpath is inside the tarball", name)
                .allMatch(entry -> entry.startsWith(home));
        List<String> jars = entries.stream().map(entry -> entry.getFileName().toString()).toList();
        // Far more than the 3 jars a folder had when the assembly handed each jar to one folder only.
        assertThat(jars).as("bin/%s's classpath", name).hasSizeGreaterThan(15)
                .contains(program.jar())
                .anyMatch(jar -> jar.startsWith("duet-shared-protocol-"))
                .anyMatch(jar -> jar.startsWith("logback-classic-"))
                .noneMatch(jar -> jar.startsWith("hadoop-"))
                .noneMatch(jar -> jar.startsWith("hbase-") && !jar.startsWith("hbase-shaded-client-"));
        assertThat(jars.stream().anyMatch(jar -> jar.startsWith("hbase-shaded-client-")))
                .as("bin/%s has hbase-shaded-client", name).isEqualTo(program.hbaseClient());
    }

    @Test
    void adminHelpPrintsTheUsageWithTheClusterFromTheApplicationServersSettings() throws Exception {
        Run help = runScript("duet-admin", "--help");
        assertThat(help.exitCode()).as("bin/duet-admin --help: %s", help.err()).isZero();
        assertThat(help.out()).startsWith("usage: duet-admin")
                .contains("zk1:2181,zk2:2181,zk3:2181, from " + home.resolve("conf/application-server.properties"))
                .contains("exit status");
    }

    @Test
    void adminReachesForZooKeeperAndReportsItUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Run servers = runScript("duet-admin", "--zookeeper", "127.0.0.1:" + closedPort, "--timeout", "1s", "servers");
        assertThat(servers.exitCode()).as("bin/duet-admin servers: %s%s", servers.out(), servers.err()).isEqualTo(2);
        assertThat(servers.err()).contains("cannot reach ZooKeeper at 127.0.0.1:" + closedPort + " within 1 s");
    }

    /** Runs {@code bin/<name>} with the stand-in {@code java}; its arguments, as the script passed them. */
    private static List<String> recordedJavaCommand(String name) throws Exception {
        Path recorded = work.resolve(name + ".args");
        Files.deleteIfExists(recorded);
        Run script = run(List.of(home.resolve("bin").resolve(name).toString()), Map.of(
                "PATH", recordingJava.getParent() + File.pathSeparator + System.getenv("PATH"),
                "DUET_RECORDED_ARGS", recorded.toString(),
                "DUET_JAVA_OPTS", "-Xmx256m"));
        assertThat(script.exitCode()).as("bin/%s with the stand-in java: %s", name, script.err()).isZero();
        assertThat(recorded).as("bin/%s ran java from the PATH", name).isRegularFile();
        String args = Files.readString(recorded, StandardCharsets.UTF_8);
        assertThat(args).endsWith("\0");
        return Arrays.asList(args.substring(0, args.length() - 1).split("\0", -1));
    }

    private static int mainClassIndex(List<String> command) {
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            if (VALUED_OPTIONS.contains(arg)) {
                i++;
            } else if (!arg.startsWith("-")) {
                return i;
            }
        }
        return fail("no main class in " + command);
    }

    private static Run runScript(String name, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin").resolve(name).toString());
        command.addAll(List.of(args));
        return run(command, Map.of("PATH", Path.of(JAVA).getParent() + File.pathSeparator + System.getenv("PATH")));
    }

    private static Run run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("DUET_"));
        builder.environment().putAll(environment);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new File("/dev/null")));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail(command + " did not finish within 60 s:\n" + Files.readString(out) + Files.readString(err));
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
