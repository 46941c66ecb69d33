package io.duet.deploy.local;

import io.duet.process.ReadyFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports fixed for the life of a data folder, so that restarts keep every endpoint. From a base port:
 * ZooKeeper at +0, the load balancer's client endpoint at +1 (TCP) and +2 (HTTP), presentation servers'
 * client TCP at +10.., client HTTP at +20.., admin ports at +30.. and agent-check ports at +40.. (the load
 * balancer's configuration names the admin and agent ports before the servers start). A key missing from an older data folder's plan is
 * added; saved ports never change.
 */
final class PortPlan {
    final int zookeeper;
    final int endpointTcp;
    final int endpointHttp;
    final List<Integer> presentationTcp = new ArrayList<>();
    final List<Integer> presentationHttp = new ArrayList<>();
    final List<Integer> presentationAdmin = new ArrayList<>();
    final List<Integer> presentationAgent = new ArrayList<>();

    private PortPlan(int zookeeper, int endpointTcp, int endpointHttp) {
        this.zookeeper = zookeeper;
        this.endpointTcp = endpointTcp;
        this.endpointHttp = endpointHttp;
    }

    static PortPlan load(Path file, int basePort, int presentationServers) throws IOException {
        Map<String, String> saved = Files.exists(file) ? ReadyFile.read(file) : Map.of();
        Map<String, String> plan = new TreeMap<>(saved);
        PortPlan ports = new PortPlan(port(plan, "zookeeper", basePort, 0), port(plan, "endpoint.tcp", basePort, 1),
                port(plan, "endpoint.http", basePort, 2));
        for (int i = 1; i <= presentationServers; i++) {
            ports.presentationTcp.add(port(plan, "presentation-" + i + ".tcp", basePort, 10 + i - 1));
            ports.presentationHttp.add(port(plan, "presentation-" + i + ".http", basePort, 20 + i - 1));
            ports.presentationAdmin.add(port(plan, "presentation-" + i + ".admin", basePort, 30 + i - 1));
            ports.presentationAgent.add(port(plan, "presentation-" + i + ".agent", basePort, 40 + i - 1));
        }
        ReadyFile.write(file, plan);
        return ports;
    }

    private static int port(Map<String, String> plan, String key, int basePort, int offset) throws IOException {
        String saved = plan.get(key);
        if (saved != null) {
            return Integer.parseInt(saved);
        }
        int port = basePort > 0 ? basePort + offset : freePort(plan);
        plan.put(key, Integer.toString(port));
        return port;
    }

    /**
     * A port that is free now, chosen below the kernel's ephemeral range: the ports are bound later, by
     * other processes, and a port from that range could meanwhile be handed to any socket bound to port 0
     * (HBase's, an application server's relay, a test's client), failing the start with "address in use".
     */
    static int freePort(Map<String, String> plan) throws IOException {
        int below = ephemeralRangeStart();
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 10_000 + ThreadLocalRandom.current().nextInt(Math.max(1, below - 10_000));
            if (plan.containsValue(Integer.toString(candidate))) {
                continue; // planned for another node, which may not be running now
            }
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // Try another.
            }
        }
        throw new IOException("no free port between 10000 and " + below);
    }

    /** The first port the kernel hands out for port 0 (Linux); 32768 when it cannot tell. */
    private static int ephemeralRangeStart() {
        // Read line by line: /proc files report a size of 0, and whole-file reads may stop short.
        try (BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            int start = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
            return start > 20_000 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
