package io.duet.presentation;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import io.duet.settings.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PresentationServerMain --config <file> [--ready-file <file>]}: runs a presentation server
 * until SIGTERM. Every setting can also come from a {@code DUET_*} environment variable.
 */
public final class PresentationServerMain {
    private static final Logger LOG = LoggerFactory.getLogger(PresentationServerMain.class);

    private PresentationServerMain() {
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
        PresentationServer server = new PresentationServer(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "duet-shutdown"));
        try {
            server.start();
        } catch (Exception e) {
            LOG.error("Presentation server failed to start", e);
            System.exit(1);
        }
        if (readyFile != null) {
            ReadyFile.write(readyFile, Map.of("client.tcp.port", Integer.toString(server.tcpPort()),
                    "client.http.port", Integer.toString(server.httpPort())));
        }
        stopped.await();
    }
}
