package io.duet.client;

import io.duet.protocol.api.FinishUploadRequest;
import io.duet.protocol.api.PhotoUpload;
import io.duet.protocol.api.PhotoUrl;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of photos, which never travel in Thrift calls: a PUT to the presigned upload URL that
 * {@code PhotoService.createUpload} returned, and a GET of a presigned download URL. Both go straight to
 * the object store (S3) over HTTP, with the JDK's client; neither carries the Duet token.
 */
final class PhotoTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(PhotoTransfer.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A whole transfer; 20 MiB at 300 kB/s takes about a minute. */
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(3);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    private PhotoTransfer() {
    }

    /** The request that ends an upload, with {@code caption} unless it is null or empty. */
    static FinishUploadRequest finishRequest(String uploadId, String caption) {
        FinishUploadRequest finish = new FinishUploadRequest(uploadId);
        if (caption != null && !caption.isEmpty()) {
            finish.setCaption(caption);
        }
        return finish;
    }

    /**
     * {@link #download} from the URL {@code url} completes with, off the thread that completes it (file I/O);
     * cancelling the returned future cancels the transfer.
     */
    static CompletableFuture<Path> downloadOnceKnown(CompletableFuture<PhotoUrl> url, Path target) {
        CompletableFuture<Path> result = new CompletableFuture<>();
        url.thenAcceptAsync(known -> {
            CompletableFuture<Path> download = download(known, target);
            result.whenComplete((path, failure) -> download.cancel(true)); // a cancel by the app reaches the transfer
            download.whenComplete((path, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(path);
                }
            });
        }).exceptionally(failure -> {
            result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
            return null;
        });
        return result;
    }

    /** PUTs {@code file} (which must have the size the upload was created for) to the upload's URL. */
    static CompletableFuture<Void> upload(PhotoUpload upload, Path file) {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(URI.create(upload.getUploadUrl())).timeout(TRANSFER_TIMEOUT)
                    .PUT(HttpRequest.BodyPublishers.ofFile(file));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (upload.isSetHeaders()) {
            upload.getHeaders().forEach(request::header);
        }
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new DuetClientException("the object store refused the upload: HTTP " + response.statusCode()
                                + " " + abbreviate(response.body()));
                    }
                    return null;
                });
    }

    /**
     * GETs the URL into {@code target}, replaced only once the whole photo arrived. The bytes go to a {@code
     * .part} file beside it first, which every failure deletes (a refusal, a network error, a body shorter
     * than its length, a failed move, the transfer cancelled or timed out): {@code target} is left as it was.
     */
    static CompletableFuture<Path> download(PhotoUrl url, Path target) {
        Path partial;
        try {
            Path dir = target.toAbsolutePath().getParent();
            partial = Files.createTempFile(dir, ".duet-photo-", ".part");
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url.getUrl())).timeout(TRANSFER_TIMEOUT).GET().build();
        CompletableFuture<HttpResponse<Path>> exchange = HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofFile(partial));
        CompletableFuture<Path> saved = exchange.thenApply(response -> {
            try {
                if (response.statusCode() / 100 != 2) {
                    throw new DuetClientException("the object store refused the download: HTTP " + response.statusCode()
                            + " " + abbreviate(Files.readString(partial, StandardCharsets.UTF_8)));
                }
                return Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new DuetClientException("cannot save the photo to " + target, e);
            }
        });
        saved.whenComplete((path, failure) -> {
            if (failure != null) {
                exchange.cancel(true); // a cancelled or timed-out download stops writing
                deletePartial(partial);
            }
        });
        // The body may still be written after the download failed (a cancel while it streams): delete it again then.
        exchange.whenComplete((response, failure) -> {
            if (saved.isCompletedExceptionally()) {
                deletePartial(partial);
            }
        });
        return saved;
    }

    private static void deletePartial(Path partial) {
        try {
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            LOG.warn("Cannot delete the partial download {}: {}", partial, e.toString());
        }
    }

    /** Waits for a transfer (at most its timeout) in a blocking API, rethrowing what failed it. */
    static <T> T await(CompletableFuture<T> transfer) throws IOException {
        try {
            return transfer.get(TRANSFER_TIMEOUT.toMillis() + CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            transfer.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during a photo transfer");
        } catch (TimeoutException e) {
            transfer.cancel(true);
            throw new IOException("the photo transfer took longer than " + TRANSFER_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException) {
                throw (IOException) cause;
            }
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw new IOException(cause);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }
}
