package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
    @Test
    void bytesGoThroughTheProxyToItsBackEndAndCloseStopsIt() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/sbin/haproxy")) || System.getenv("PATH").contains("haproxy"))
                .as("haproxy installed").isTrue();
        try (ServerSocket backEnd = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", backEnd.getLocalPort());
            // Echoes what each connection sends, each on a thread of its own (the proxy's start-up probe
            // opens one that sends nothing, and the proxy may close it late).
            Thread echo = new Thread(() -> {
                while (!backEnd.isClosed()) {
                    try {
                        Socket accepted = backEnd.accept();
                        new Thread(() -> {
                            try (accepted) {
                                accepted.getInputStream().transferTo(accepted.getOutputStream());
                            } catch (Exception e) {
                                // The connection ended.
                            }
                        }).start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            echo.setDaemon(true);
            echo.start();
            TcpProxy proxy = TcpProxy.start(Map.of("app-1", target));
            try (Socket client = new Socket()) {
                client.connect(proxy.frontOf(target), 5000);
                client.setSoTimeout(5000);
                OutputStream out = client.getOutputStream();
                out.write("hello".getBytes());
                InputStream in = client.getInputStream();
                assertThat(new String(in.readNBytes(5))).isEqualTo("hello");
                assertThat(proxy.cpuMicros()).isPresent();
            } finally {
                proxy.close();
            }
            assertThat(proxy.cpuMicros()).as("stopped").isEmpty();
        }
    }
}
