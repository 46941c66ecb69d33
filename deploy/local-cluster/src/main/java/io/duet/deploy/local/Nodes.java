package io.duet.deploy.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/** Starting and stopping several nodes at once, each on its own thread, for {@link LocalCluster}. */
final class Nodes {
    private Nodes() {
    }

    /**
     * Starts {@code node} on a thread of its own: a start blocks until the node is ready, and several may
     * wait on each other (application servers on HBase), which a shared pool's few threads could not.
     */
    static CompletableFuture<Void> startAsync(Node node) {
        return CompletableFuture.runAsync(() -> {
            try {
                node.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }, task -> new Thread(task, "start-" + node.name()).start());
    }

    static void startAll(List<? extends Node> nodes) throws IOException, InterruptedException {
        List<CompletableFuture<Void>> starting = nodes.stream().map(Nodes::startAsync).collect(Collectors.toList());
        for (CompletableFuture<Void> future : starting) {
            join(future);
        }
    }

    static void join(CompletableFuture<Void> future) throws IOException, InterruptedException {
        try {
            future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException) {
                throw ((UncheckedIOException) e.getCause()).getCause();
            }
            if (e.getCause() instanceof InterruptedException) {
                throw (InterruptedException) e.getCause();
            }
            throw e;
        }
    }

    static void stopAll(List<? extends Node> nodes) throws InterruptedException {
        List<Thread> stopping = new ArrayList<>();
        for (Node node : nodes) {
            Thread thread = new Thread(() -> {
                try {
                    node.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stop-" + node.name());
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            thread.join();
        }
    }
}
