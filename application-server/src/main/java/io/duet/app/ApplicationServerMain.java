package io.duet.app;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import io.duet.settings.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ApplicationServerMain --config <file> [--ready-file <file>]}: runs an application server until
 * SIGTERM. Every setting can also come from a {@code DUET_*} environment variable.
 */
public final class ApplicationServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(ApplicationServerMain.class);

    private ApplicationServerMain() {
    }

    public static void main(String[] args) throws Exception {
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
        ApplicationServer server = new ApplicationServer(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "duet-shutdown"));
        try {
            server.start();
        } catch (Exception e) {
            LOG.error("Application server failed to start", e);
            System.exit(1);
        }
        if (readyFile != null) {
            ReadyFile.write(readyFile, Map.of("instance.id", server.instanceId(),
                    "relay.port", Integer.toString(server.relayPort())));
        }
        stopped.await();
    }
}
