package io.duet.deploy.dist;

import static io.duet.deploy.dist.DeployFiles.SOURCES;
import static io.duet.deploy.dist.DeployFiles.seconds;
import static io.duet.deploy.dist.DeployFiles.timing;
import static io.duet.deploy.dist.DeployFiles.unit;
import static io.duet.deploy.dist.DeployFiles.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.ApplicationServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units in {@code src/dist/systemd} and {@code src/dist/aws}: {@code systemd-analyze verify}
 * finds nothing to say about them in a root laid out as the tarball installs them, and they have the
 * settings PRODUCTION.md promises, with stop timeouts longer than the servers' own deadlines.
 */
class SystemdUnitsTest {
    private static final List<String> UNITS = List.of("duet-presentation.service", "duet-application.service",
            "duet-scale-in-hook@duet-presentation.service", "duet-scale-in-hook@duet-application.service");

    @TempDir
    Path root;

    @Test
    void systemdAnalyzeVerifyFindsNothing() throws Exception {
        DeployFiles.Run verify = verify(installedRoot(), UNITS);
        assertThat(verify.exitCode()).as("systemd-analyze verify: %s", verify.output()).isZero();
        assertThat(verify.output()).as("systemd-analyze verify says nothing of sound units").isEmpty();
    }

    /** The check above would catch a mistake: a misspelt key is reported, though verify still exits 0. */
    @Test
    void systemdAnalyzeVerifyReportsAMisspeltKey() throws Exception {
        Path installed = installedRoot();
        Path unit = installed.resolve("etc/systemd/system/duet-presentation.service");
        Files.writeString(unit, Files.readString(unit).replace("KillSignal=SIGTERM", "KillSignl=SIGTERM"));
        DeployFiles.Run verify = verify(installed, List.of("duet-presentation.service"));
        assertThat(verify.output()).contains("KillSignl");
    }

    @ParameterizedTest
    @ValueSource(strings = {"presentation", "application"})
    void eachServerRunsAsItsOwnUserFromTheTarballHardenedAndRestartedWithinLimits(String tier) throws IOException {
        Map<String, Map<String, List<String>>> unit = unit(SOURCES.resolve("systemd/duet-" + tier + ".service"));
        assertThat(value(unit, "Service", "User")).isEqualTo("duet");
        assertThat(value(unit, "Service", "ExecStart")).startsWith("/opt/duet/bin/" + tier + "-server ");
        assertThat(value(unit, "Service", "ExecStartPost")).startsWith("/opt/duet/systemd/duet-await-ready ");
        assertThat(value(unit, "Service", "Environment")).isEqualTo("DUET_CONFIG=/etc/duet/" + tier + "-server.properties");
        String environmentFile = "/etc/duet/" + tier + "-server.env";
        assertThat(value(unit, "Service", "EnvironmentFile")).as("optional; the secrets are in files the settings name")
                .isEqualTo("-" + environmentFile);
        assertThat(value(unit, "Service", "ExecStartPre")).as("refuses an environment file others can read")
                .contains(environmentFile).contains("-perm /077");
        assertThat(value(unit, "Service", "KillSignal")).isEqualTo("SIGTERM");
        assertThat(value(unit, "Service", "SuccessExitStatus")).isEqualTo("143");
        assertThat(value(unit, "Service", "Restart")).isEqualTo("on-failure");
        assertThat(seconds(value(unit, "Service", "RestartSec"))).isPositive();
        assertThat(Integer.parseInt(value(unit, "Unit", "StartLimitBurst"))).isBetween(1, 10);
        assertThat(seconds(value(unit, "Unit", "StartLimitIntervalSec")))
                .as("a crash loop exhausts the burst within the interval")
                .isGreaterThan(Integer.parseInt(value(unit, "Unit", "StartLimitBurst")) * seconds(value(unit, "Service", "RestartSec")));
        assertThat(Long.parseLong(value(unit, "Service", "LimitNOFILE")))
                .isGreaterThanOrEqualTo(tier.equals("presentation") ? 1_048_576 : 65_536);
        assertThat(value(unit, "Service", "NoNewPrivileges")).isEqualTo("yes");
        assertThat(value(unit, "Service", "ProtectSystem")).isEqualTo("strict");
        assertThat(value(unit, "Service", "PrivateTmp")).isEqualTo("yes");
        assertThat(value(unit, "Service", "StateDirectory")).isEqualTo("duet-" + tier);
        assertThat(value(unit, "Service", "WorkingDirectory")).isEqualTo("/var/lib/duet-" + tier);
        assertThat(value(unit, "Service", "CapabilityBoundingSet")).isEmpty();
    }

    /** The pre-start check, run by sh as systemd would: a missing or owner-only file passes, a readable one stops. */
    @ParameterizedTest
    @ValueSource(strings = {"presentation", "application"})
    void theStartRefusesAnEnvironmentFileOthersCanRead(String tier) throws Exception {
        String command = value(unit(SOURCES.resolve("systemd/duet-" + tier + ".service")), "Service", "ExecStartPre");
        assertThat(command).startsWith("/bin/sh -c '").endsWith("'");
        Path environmentFile = root.resolve(tier + "-server.env");
        String script = command.substring("/bin/sh -c '".length(), command.length() - 1)
                .replace("$$", "$").replace("/etc/duet/" + tier + "-server.env", environmentFile.toString());
        assertThat(preStart(script).exitCode()).as("no environment file").isZero();
        Files.writeString(environmentFile, "DUET_TOKEN_PREVIOUS_SECRETS=old\n");
        Files.setPosixFilePermissions(environmentFile, PosixFilePermissions.fromString("rw-r--r--"));
        DeployFiles.Run readable = preStart(script);
        assertThat(readable.exitCode()).isEqualTo(1);
        assertThat(readable.err()).contains(environmentFile + " may hold DUET_TOKEN_PREVIOUS_SECRETS").contains("chmod 600");
        Files.setPosixFilePermissions(environmentFile, PosixFilePermissions.fromString("rw-------"));
        assertThat(preStart(script).exitCode()).as("owner only").isZero();
    }

    private static DeployFiles.Run preStart(String script) throws Exception {
        return DeployFiles.run(List.of("/bin/sh", "-c", script), Map.of(), Duration.ofSeconds(10));
    }

    @Test
    void thePresentationServerHasTimeToDrainBeforeSystemdKillsIt() throws IOException {
        Map<String, Map<String, List<String>>> unit = unit(SOURCES.resolve("systemd/duet-presentation.service"));
        long stop = seconds(value(unit, "Service", "TimeoutStopSec"));
        long drainDeadline = seconds(timing("Presentation", "DrainDeadline"));
        assertThat(seconds(timing("Presentation", "DrainDelay")) + seconds(timing("Presentation", "DrainWindow")))
                .as("drain.delay + drain.window within drain.deadline").isLessThanOrEqualTo(drainDeadline);
        assertThat(stop).as("TimeoutStopSec past drain.deadline, with time to close the relay links")
                .isGreaterThanOrEqualTo(drainDeadline + 10);
        assertThat(seconds(timing("Presentation", "HookTimeoutSeconds")))
                .as("the lifecycle hook waits longer than systemctl stop can take").isGreaterThan(stop);
        assertThat(seconds(value(unit, "Service", "TimeoutStartSec")))
                .as("the readiness wait ends before the start timeout")
                .isGreaterThan(seconds(lastWord(value(unit, "Service", "ExecStartPost"))));
    }

    @Test
    void theApplicationServerHasTimeToHandItsShardsOverBeforeSystemdKillsIt() throws Exception {
        Map<String, Map<String, List<String>>> unit = unit(SOURCES.resolve("systemd/duet-application.service"));
        long stop = seconds(value(unit, "Service", "TimeoutStopSec"));
        var field = ApplicationServer.class.getDeclaredField("SHUTDOWN_DEADLINE");
        field.setAccessible(true);
        Duration shutdownDeadline = (Duration) field.get(null);
        assertThat(stop).as("TimeoutStopSec past ApplicationServer's shutdown deadline (%s)", shutdownDeadline)
                .isGreaterThanOrEqualTo(shutdownDeadline.toSeconds() + 10);
        assertThat(seconds(timing("Application", "HookTimeoutSeconds"))).isGreaterThan(stop);
    }

    private static String lastWord(String command) {
        return command.substring(command.lastIndexOf(' ') + 1);
    }

    /**
     * A root as an instance has it after the user data ran: the system's own units (systemd-analyze needs
     * its targets), the tarball's scripts at /opt/duet, the units in /etc/systemd/system, a /bin/sh.
     */
    private Path installedRoot() throws IOException {
        Path systemUnits = Stream.of("/usr/lib/systemd/system", "/lib/systemd/system").map(Path::of)
                .filter(Files::isDirectory).findFirst().orElseThrow(() -> new AssertionError("no system units dir"));
        copyTree(systemUnits, root.resolve("usr/lib/systemd/system"));
        for (String dir : List.of("bin", "systemd", "aws")) {
            copyTree(SOURCES.resolve(dir), root.resolve("opt/duet/" + dir));
        }
        Path etc = Files.createDirectories(root.resolve("etc/systemd/system"));
        for (Path unit : List.of(SOURCES.resolve("systemd/duet-presentation.service"),
                SOURCES.resolve("systemd/duet-application.service"), SOURCES.resolve("aws/duet-scale-in-hook@.service"))) {
            Files.copy(unit, etc.resolve(unit.getFileName()));
        }
        Path sh = Files.createDirectories(root.resolve("bin")).resolve("sh");
        Files.copy(Path.of("/bin/sh"), sh, StandardCopyOption.COPY_ATTRIBUTES);
        try (Stream<Path> files = Files.walk(root.resolve("opt/duet"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        return root;
    }

    private static DeployFiles.Run verify(Path root, List<String> units) throws Exception {
        String analyze = DeployFiles.require("systemd-analyze", "apt-get install systemd");
        List<String> command = new ArrayList<>(List.of(analyze, "verify", "--root=" + root));
        command.addAll(units);
        return DeployFiles.run(command, Map.of("SYSTEMD_LOG_COLOR", "0"), Duration.ofSeconds(60));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (!Files.isSymbolicLink(path) || !Files.readSymbolicLink(path).isAbsolute()) {
                    // Aliases stay links; masked units (links to /dev/null) are left out.
                    Files.copy(path, target, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }
}
