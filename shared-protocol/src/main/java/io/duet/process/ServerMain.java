package io.duet.process;

import io.duet.settings.Settings;
import io.duet.settings.SettingsException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common {@code main} of Duet's servers: {@code --config <file> [--ready-file <file>]}, settings
 * from the file and {@code DUET_*} environment variables, a clean shutdown on SIGTERM, and the ready
 * file once serving (with the process's {@code pid}).
 */
public final class ServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMain.class);

    private ServerMain() {
    }

    /** A server as {@link #run} drives it. */
    public interface Server extends AutoCloseable {
        void start() throws Exception;

        /** What the ready file says once started: the ports actually bound, the admin port's included. */
        Map<String, String> readyInfo();

        /** Idempotent; called from the shutdown hook. */
        @Override
        void close();
    }

    /** Runs {@code server} until the process is told to stop; exits with status 1 if it cannot start. */
    public static void run(String[] args, Function<Settings, Server> server) throws InterruptedException {
        Path config = null;
        Path readyFile = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--config")) {
                config = Path.of(args[i + 1]);
            } else if (args[i].equals("--ready-file")) {
                readyFile = Path.of(args[i + 1]);
            }
        }
        ParentWatch.exitWithParent();
        Settings settings = Settings.load(config);
        LOG.info("Settings: {}", settings.describe());
        Server running = server.apply(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "duet-shutdown"));
        try {
            running.start();
            if (readyFile != null) {
                // The pid lets scripts (deploy/bin/rolling-deploy) signal the process that wrote the file.
                Map<String, String> info = new TreeMap<>(running.readyInfo());
                info.put("pid", Long.toString(ProcessHandle.current().pid()));
                ReadyFile.write(readyFile, info);
            }
        } catch (SettingsException e) {
            // A refused setting (a placeholder secret, a key file others can read): its message says it all.
            LOG.error("Refusing to start: {}", e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            LOG.error("Failed to start", e);
            System.exit(1);
        }
        stopped.await();
    }
}
