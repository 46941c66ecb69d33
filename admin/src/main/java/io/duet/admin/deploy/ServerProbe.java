package io.duet.admin.deploy;

import static io.duet.admin.deploy.DeployLog.pid;

import io.duet.admin.deploy.DeployNode.Instance;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What one server of the deploy says now: which process runs it ({@link DeployNode#locator()}) and what
 * its admin port answers. Remembers each server's pid as last seen ready, so that a restart nobody asked
 * for can be told ({@link #knownPid}).
 */
final class ServerProbe {
    private final AdminHttp http;
    /** Each node's pid as last seen ready, where pids are known. */
    private final Map<DeployNode, Long> pids = new HashMap<>();

    ServerProbe(AdminHttp http) {
        this.http = http;
    }

    AdminHttp http() {
        return http;
    }

    /** The pid {@code node} had when last seen ready, if seen and known. */
    Optional<Long> knownPid(DeployNode node) {
        return Optional.ofNullable(pids.get(node)).filter(pid -> pid > 0);
    }

    /** The process running {@code node} now; empty if none, or if that cannot be told. */
    static Optional<Instance> current(DeployNode node) {
        try {
            return node.locator().current();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code node} runs a process other than {@code old} that answers {@code GET /ready} with 200. */
    Seen ready(DeployNode node, Instance old, String label) throws IOException, InterruptedException {
        Optional<Instance> now = node.locator().current();
        if (now.isEmpty()) {
            return Seen.notYet(label + ": no process running");
        }
        if (old.pidKnown() && now.get().pid() == old.pid()) {
            return Seen.notYet(label + ": the old process" + pid(old) + " still runs");
        }
        AdminHttp.Answer answer;
        try {
            answer = http.get(now.get().admin(), "/ready");
        } catch (IOException e) {
            return Seen.notYet(label + ": GET /ready: " + AdminHttp.describe(e));
        }
        if (answer.status() != 200) {
            return Seen.notYet(label + pid(now.get()) + ": GET /ready: " + answer);
        }
        pids.put(node, now.get().pid());
        return Seen.done(label + pid(now.get()) + " is back: GET " + now.get().admin() + "/ready: 200");
    }

    /** {@code ready (pid N)}, {@code NOT READY: why}, or {@code DOWN: why}. */
    String describe(DeployNode node) throws InterruptedException {
        Optional<Instance> now = current(node);
        if (now.isEmpty()) {
            return "DOWN (no process running)";
        }
        try {
            AdminHttp.Answer answer = http.get(now.get().admin(), "/ready");
            if (answer.status() == 200) {
                pids.putIfAbsent(node, now.get().pid());
                return "ready" + pid(now.get());
            }
            return "NOT READY" + pid(now.get()) + ": " + answer;
        } catch (IOException e) {
            return "DOWN" + pid(now.get()) + ": " + now.get().admin() + " does not answer: " + AdminHttp.describe(e);
        }
    }
}
