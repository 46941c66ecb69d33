package io.duet.admin.deploy;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One server a rolling deploy restarts: its name (an application server's {@code server.id}), its kind,
 * the host the restart command runs against, and how to find its running process.
 *
 * @param name a label in messages and the {@code {name}} of the restart command; for an application
 *     server its {@code server.id}, which its instances in ZooKeeper are named after
 * @param kind what it is
 * @param host the {@code {host}} of the restart command
 * @param locator where its running process is now
 */
public record DeployNode(String name, Kind kind, String host, Locator locator) {
    /** The two kinds of server a deploy restarts. */
    public enum Kind {
        APPLICATION("application"),
        PRESENTATION("presentation");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        /** {@code application} or {@code presentation}: the {@code {kind}} of the restart command. */
        public String word() {
            return word;
        }
    }

    /**
     * One running process of a node.
     *
     * @param admin the base URL of its admin port
     * @param pid its process id, or -1 where the deploy cannot know it (another host)
     */
    public record Instance(URI admin, long pid) {
        public boolean pidKnown() {
            return pid > 0;
        }
    }

    /** Finds a node's running process. */
    public interface Locator {
        /** The running process, or empty when there is none to be seen. */
        Optional<Instance> current() throws IOException;
    }

    /** A server on another host: always at {@code admin}, its pid unknown. */
    public static Locator fixed(URI admin) {
        Optional<Instance> instance = Optional.of(new Instance(admin, -1));
        return () -> instance;
    }

    /**
     * A server of the local cluster: the ready file it writes when it is ready ({@code admin.host},
     * {@code admin.port}, {@code pid}); empty while the file is missing or names a process that is gone.
     */
    public static Locator readyFile(Path file) {
        return () -> {
            Map<String, String> info;
            try {
                info = ReadyFile.read(file);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            String port = info.get("admin.port");
            if (port == null) {
                return Optional.empty();
            }
            long pid = Long.parseLong(info.getOrDefault("pid", "-1"));
            if (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return Optional.empty();
            }
            return Optional.of(new Instance(URI.create("http://" + info.getOrDefault("admin.host", "127.0.0.1")
                    + ':' + port), pid));
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
