package io.duet.deploy.dist;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Run by {@link DistributionIT} in a fresh JVM with a program's classpath, exactly as its start script
 * passes it, plus this class alone: {@code ClasspathProbe MAIN_CLASS [KEY_CLASS...]}.
 *
 * <p>Prints the effective classpath ({@code entry FILE}: the {@code -cp} entries and, transitively, the
 * {@code Class-Path} of their manifests, which the JVM follows too), then loads the main class (which must
 * have {@code public static void main(String[])}), every key class, and every class of the program's own jar
 * (the main class's), resolving the types of their fields, methods and constructors. Each problem is a line
 * {@code missing FILE} or {@code unloadable CLASS: ERROR}; the last line is {@code ok ...} with exit status
 * 0, or {@code failed ...} with 1. Nothing is initialised: no static initialiser runs.
 *
 * <p>Self-contained (no nested classes, no dependencies) so that its one class file is all it needs.
 */
public final class ClasspathProbe {
    private ClasspathProbe() {
    }

    public static void main(String[] args) throws IOException {
        Path self = probeLocation();
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        List<String> problems = new ArrayList<>();

        Set<Path> entries = new LinkedHashSet<>();
        for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path entry = Path.of(element).toAbsolutePath().normalize();
            if (!entry.equals(self)) {
                collect(entry, entries, problems);
            }
        }
        entries.forEach(entry -> System.out.println("entry " + entry));

        int loaded = 0;
        try {
            Method main = Class.forName(args[0], false, loader).getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers()) || main.getReturnType() != void.class) {
                problems.add("unloadable " + args[0] + ": no public static void main(String[])");
            }
            loaded++;
        } catch (ReflectiveOperationException | LinkageError e) {
            problems.add("unloadable " + args[0] + ": " + e);
        }
        for (int i = 1; i < args.length; i++) {
            loaded += load(args[i], loader, problems);
        }
        Path programJar = mainJar(args[0], loader);
        if (programJar == null) {
            problems.add("unloadable " + args[0] + ": not in a jar of the classpath");
        } else {
            try (JarFile jar = new JarFile(programJar.toFile())) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                    String name = e.nextElement().getName();
                    if (name.endsWith(".class") && !name.startsWith("META-INF/")
                            && !name.endsWith("module-info.class")) {
                        loaded += load(name.substring(0, name.length() - ".class".length()).replace('/', '.'),
                                loader, problems);
                    }
                }
            }
        }

        problems.forEach(System.out::println);
        if (problems.isEmpty()) {
            System.out.println("ok " + entries.size() + " entries, " + loaded + " classes");
        } else {
            System.out.println("failed " + problems.size() + " problems");
            System.exit(1);
        }
    }

    /** {@code entry} and, if it is a jar, its manifest's {@code Class-Path}, recursively. */
    private static void collect(Path entry, Set<Path> entries, List<String> problems) throws IOException {
        if (!Files.exists(entry)) {
            problems.add("missing " + entry);
            return;
        }
        if (!entries.add(entry) || !Files.isRegularFile(entry)) {
            return;
        }
        String classPath;
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest manifest = jar.getManifest();
            classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        }
        if (classPath == null) {
            return;
        }
        URI base = entry.toUri();
        for (String reference : classPath.trim().split("\\s+")) {
            if (!reference.isEmpty()) {
                collect(Path.of(base.resolve(reference)).normalize(), entries, problems);
            }
        }
    }

    /** Loads {@code name} without initialising it, and the types its members name; 1 if that worked. */
    private static int load(String name, ClassLoader loader, List<String> problems) {
        try {
            Class<?> type = Class.forName(name, false, loader);
            type.getDeclaredFields();
            type.getDeclaredMethods();
            type.getDeclaredConstructors();
            return 1;
        } catch (ClassNotFoundException | LinkageError e) {
            problems.add("unloadable " + name + ": " + e);
            return 0;
        }
    }

    /** The jar {@code mainClass} comes from, or null. */
    private static Path mainJar(String mainClass, ClassLoader loader) {
        try {
            Path location = Path.of(Class.forName(mainClass, false, loader).getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            return Files.isRegularFile(location) ? location : null;
        } catch (ReflectiveOperationException | LinkageError | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path probeLocation() {
        try {
            return Path.of(ClasspathProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
