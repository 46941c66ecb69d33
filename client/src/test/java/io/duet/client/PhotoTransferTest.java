package io.duet.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.duet.protocol.api.PhotoUrl;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download that fails, however it fails, leaves no {@code .part} file behind and the destination as it
 * was; one that succeeds replaces it. The object store is played by a local HTTP server.
 */
class PhotoTransferTest {
    private static final byte[] PHOTO = "the new photo's bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OLD = "the photo saved before".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private HttpServer server;
    private Path target;
    /** Released when a stalled response may end. */
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        target = Files.write(dir.resolve("photo.jpg"), OLD);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(200, PHOTO.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(PHOTO);
            }
        });
        server.createContext("/missing", exchange -> {
            byte[] error = "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, error.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(error);
            }
        });
        // Says 1000 bytes, sends 10, and closes the connection: the size does not match.
        server.createContext("/short", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(new byte[10]);
            exchange.getResponseBody().flush();
            exchange.close();
        });
        // Sends part of the body, then stalls until released.
        server.createContext("/stall", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write(new byte[100]);
            exchange.getResponseBody().flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private PhotoUrl url(String path) {
        return new PhotoUrl("http://127.0.0.1:" + server.getAddress().getPort() + path, 0, "image/jpeg");
    }

    private List<Path> partFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".part")).toList();
        }
    }

    /** No .part file, now or within a second (a cancelled body may be written a little longer). */
    private void assertNoPartFileAndTargetUntouched() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!partFiles().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(partFiles()).isEmpty();
        assertThat(Files.readAllBytes(target)).isEqualTo(OLD);
    }

    @Test
    void aWholeDownloadReplacesTheTargetAndLeavesNoPartFile() throws Exception {
        assertThat(PhotoTransfer.await(PhotoTransfer.download(url("/ok"), target))).isEqualTo(target);
        assertThat(Files.readAllBytes(target)).isEqualTo(PHOTO);
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void aRefusedDownloadLeavesNoPartFile() throws Exception {
        assertThatThrownBy(() -> PhotoTransfer.await(PhotoTransfer.download(url("/missing"), target)))
                .isInstanceOf(DuetClientException.class).hasMessageContaining("HTTP 404").hasMessageContaining("NoSuchKey");
        assertNoPartFileAndTargetUntouched();
    }

    @Test
    void aBodyShorterThanItsLengthLeavesNoPartFile() throws Exception {
        assertThatThrownBy(() -> PhotoTransfer.await(PhotoTransfer.download(url("/short"), target)))
                .isInstanceOf(IOException.class);
        assertNoPartFileAndTargetUntouched();
    }

    @Test
    void aServerThatIsNotThereLeavesNoPartFile() throws Exception {
        PhotoUrl nowhere = url("/ok");
        server.stop(0);
        assertThatThrownBy(() -> PhotoTransfer.await(PhotoTransfer.download(nowhere, target)))
                .isInstanceOf(IOException.class);
        assertNoPartFileAndTargetUntouched();
    }

    @Test
    void aDownloadThatCannotBeMovedIntoPlaceLeavesNoPartFile() throws Exception {
        Path occupied = Files.createDirectory(dir.resolve("occupied"));
        Files.write(occupied.resolve("inside"), OLD);
        assertThatThrownBy(() -> PhotoTransfer.await(PhotoTransfer.download(url("/ok"), occupied)))
                .isInstanceOf(DuetClientException.class).hasMessageContaining("cannot save the photo");
        assertThat(Files.readAllBytes(occupied.resolve("inside"))).isEqualTo(OLD);
        assertNoPartFileAndTargetUntouched();
    }

    @Test
    void aCancelledDownloadLeavesNoPartFile() throws Exception {
        CompletableFuture<Path> download = PhotoTransfer.download(url("/stall"), target);
        Thread.sleep(300); // the body has begun
        download.cancel(true);
        release.countDown();
        assertNoPartFileAndTargetUntouched();
    }

    @Test
    void anInterruptedBlockingDownloadLeavesNoPartFile() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiting = new Thread(() -> {
            try {
                PhotoTransfer.await(PhotoTransfer.download(url("/stall"), target));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        waiting.start();
        Thread.sleep(300);
        waiting.interrupt();
        waiting.join(10_000);
        assertThat(failure.get()).isInstanceOf(InterruptedIOException.class);
        release.countDown();
        assertNoPartFileAndTargetUntouched();
    }
}
