package io.duet.app;

import io.duet.process.ServerMain;

/**
 * {@code ApplicationServerMain --config <file> [--ready-file <file>]}: runs an application server until
 * SIGTERM. Every setting can also come from a {@code DUET_*} environment variable.
 */
public final class ApplicationServerMain {
    private ApplicationServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServerMain.run(args, ApplicationServer::new);
    }
}
