package io.duet.deploy.local;

import io.duet.process.ReadyFile;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Ports fixed for the life of a data folder, so that restarts keep every endpoint. */
final class PortPlan {
    final int zookeeper;
    final List<Integer> presentationTcp = new ArrayList<>();
    final List<Integer> presentationHttp = new ArrayList<>();

    private PortPlan(int zookeeper) {
        this.zookeeper = zookeeper;
    }

    static PortPlan load(Path file, int basePort, int presentationServers) throws IOException {
        Map<String, String> saved = Files.exists(file) ? ReadyFile.read(file) : Map.of();
        Map<String, String> plan = new TreeMap<>(saved);
        PortPlan ports = new PortPlan(port(plan, "zookeeper", basePort, 0));
        for (int i = 1; i <= presentationServers; i++) {
            ports.presentationTcp.add(port(plan, "presentation-" + i + ".tcp", basePort, 10 + i - 1));
            ports.presentationHttp.add(port(plan, "presentation-" + i + ".http", basePort, 20 + i - 1));
        }
        ReadyFile.write(file, plan);
        return ports;
    }

    private static int port(Map<String, String> plan, String key, int basePort, int offset) throws IOException {
        String saved = plan.get(key);
        if (saved != null) {
            return Integer.parseInt(saved);
        }
        int port = basePort > 0 ? basePort + offset : freePort();
        plan.put(key, Integer.toString(port));
        return port;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
