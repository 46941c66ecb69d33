package io.duet.deploy.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 between one node and a service it uses, through which a test injects network
 * faults into that one path: {@link #pause()} is a partition (connections stay open, nothing flows either
 * way, new connections hang), {@link #resume()} heals it, {@link #sever()} resets every connection. Each
 * connection costs two threads; links carry a handful of connections.
 */
public final class FaultLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FaultLink.class);

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    // @GuardedBy("gate")
    private boolean paused;
    private volatile boolean closed;

    /** Listens on a free port of 127.0.0.1 and forwards to {@code target}. */
    public FaultLink(String name, InetSocketAddress target) throws IOException {
        this.name = name;
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-link-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port nodes connect to instead of the target's. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Stops all traffic through the link, keeping its connections open. */
    public void pause() {
        synchronized (gate) {
            paused = true;
        }
        LOG.info("Link {} paused", name);
    }

    public void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
        LOG.info("Link {} resumed", name);
    }

    /** Resets every open connection; new ones are accepted as before. */
    public void sever() {
        sockets.forEach(FaultLink::closeQuietly);
        sockets.clear();
        LOG.info("Link {} severed", name);
    }

    private void awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (paused && !closed) {
                gate.wait(100);
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                sockets.add(client);
                Thread connector = new Thread(() -> connect(client), "fault-link-" + name + "-connect");
                connector.setDaemon(true);
                connector.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Link {} stopped accepting: {}", name, e.toString());
                }
                return;
            }
        }
    }

    private void connect(Socket client) {
        try {
            awaitOpen();
            Socket server = new Socket();
            sockets.add(server);
            server.connect(target, 5000);
            pump(client, server, "up");
            pump(server, client, "down");
        } catch (IOException e) {
            closeQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                while (true) {
                    awaitOpen();
                    int read = in.read(buffer);
                    if (read < 0) {
                        break;
                    }
                    awaitOpen();
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // The other side went away, or the link was severed.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "fault-link-" + name + "-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    @Override
    public void close() {
        closed = true;
        resume();
        closeQuietly(listener);
        sever();
    }

    private static void closeQuietly(ServerSocket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }
}
