package io.duet.presentation;

import io.duet.process.ServerMain;

/**
 * {@code PresentationServerMain --config <file> [--ready-file <file>]}: runs a presentation server
 * until SIGTERM. Every setting can also come from a {@code DUET_*} environment variable.
 */
public final class PresentationServerMain {
    private PresentationServerMain() {
    }

    public static void main(String[] args) throws Exception {
        ServerMain.run(args, PresentationServer::new);
    }
}
