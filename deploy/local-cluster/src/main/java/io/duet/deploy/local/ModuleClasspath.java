package io.duet.deploy.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the classpath of a runnable module in a Duet checkout: the module's compiled classes plus the
 * runtime classpath Maven wrote for it ({@code target/runtime-classpath.txt}, see the parent POM's
 * {@code node-classpath} execution). Each node thereby runs with exactly its own module's
 * dependencies: HBase's server jars never meet the servers' shaded HBase client.
 */
final class ModuleClasspath {
    static final String HOME_PROPERTY = "duet.home";

    private ModuleClasspath() {
    }

    /** The root of the Duet checkout: {@code -Dduet.home}, {@code $DUET_HOME}, or the nearest parent of the working directory holding one. */
    static Path detectHome() {
        String configured = System.getProperty(HOME_PROPERTY, System.getenv("DUET_HOME"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/local-cluster")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Duet checkout above " + Path.of("").toAbsolutePath()
                + ": run from inside it, or set -D" + HOME_PROPERTY + " or DUET_HOME");
    }

    static String of(Path home, String module) {
        Path target = home.resolve(module).resolve("target");
        Path classes = target.resolve("classes");
        Path dependencies = target.resolve("runtime-classpath.txt");
        if (!Files.isDirectory(classes) || !Files.exists(dependencies)) {
            throw new IllegalStateException("module " + module + " is not built (no " + dependencies
                    + "): run 'mvn -DskipTests package' in " + home);
        }
        try {
            return classes + java.io.File.pathSeparator
                    + Files.readString(dependencies, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dependencies, e);
        }
    }
}
