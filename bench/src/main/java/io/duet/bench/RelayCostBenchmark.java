package io.duet.bench;

import io.duet.bench.RelayPaths.CallPath;
import io.duet.bench.RelayPaths.RelayConnection;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.Principal;
import io.duet.protocol.relay.WireProtocol;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.ThriftMessages;
import io.duet.protocol.token.TokenCodec;
import io.duet.security.RelayTls;
import io.duet.security.SecretFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;
import org.apache.thrift.protocol.TMessageType;

/**
 * {@code bin/duet-relay-cost}: what the presentation hop costs. The same calls (a couple member's {@code
 * chat:sendMessage} or {@code chat:setTyping}, the same bytes) reach the couple's application server three
 * ways, each measured in the same run:
 * <ul>
 *   <li><b>presentation</b>: as a client of presentation-1 (plain TCP, AUTH, CALL frames), which relays
 *       them over its relay link (mutual TLS) to the application server: Duet's path;</li>
 *   <li><b>haproxy</b>: over a relay link of the benchmark's own (mutual TLS, speaking as a presentation
 *       server does) through an HAProxy in TCP mode in front of the application server's relay port: what
 *       a plain TCP proxy on the same hop costs;</li>
 *   <li><b>direct</b>: over the same kind of relay link straight to the relay port: no hop at all. The relay
 *       port takes only presentation servers (mutual TLS), so a "direct client" is this benchmark speaking
 *       the relay protocol with presentation-1's certificate.</li>
 * </ul>
 * Both members of each of {@code --couples} couples send, each one call at a time and at most {@code
 * --rate} a second (under the application servers' limits per device: 50 sends and 10 typing notices a
 * second; a refused call would be timed too, but is not what is measured). Reports send -> reply latency
 * (HdrHistogram) and the CPU per call of the hop (presentation-1, or the HAProxy) and of every server of the
 * cluster, read from {@code /proc}; and the first failure, if any call failed.
 */
public final class RelayCostBenchmark {
    enum Mode { PRESENTATION, HAPROXY, DIRECT }

    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final String SEND = commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + "sendMessage";
    private static final String TYPING = commonConstants.CHAT_SERVICE + ThriftMessages.SERVICE_SEPARATOR + "setTyping";
    private static final String PRESENTATION_ID = "relay-cost-bench";
    /** Calls a second per sender: under the application servers' 50 sends a second per device. */
    static final double DEFAULT_SEND_RATE = 40;
    /** Under their 10 typing notices a second per device. */
    static final double DEFAULT_TYPING_RATE = 8;
    /** Processes of the cluster no call goes through (the cluster's own HAProxy is the client endpoint's). */
    private static final Set<String> NOT_ON_THE_PATH = Set.of("zookeeper", "hbase-zookeeper", "s3",
            "haproxy", "presentation-2");

    private final Path cluster;
    private final boolean typing;
    private final int meanTextLength;
    private final PrintStream out;

    private RelayCostBenchmark(Path cluster, boolean typing, int meanTextLength, PrintStream out) {
        this.cluster = cluster;
        this.typing = typing;
        this.meanTextLength = meanTextLength;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@code main} does, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path local;
        int couples;
        double rate;
        int runs;
        int textLength;
        boolean typing;
        Duration warmUp;
        Duration duration;
        try {
            BenchOptions options = BenchOptions.parse(args,
                    List.of("--local", "--couples", "--rate", "--runs", "--text-length", "--call", "--warm-up", "--duration"),
                    List.of());
            if (options.help()) {
                usage(out);
                return 0;
            }
            local = options.path("--local", null);
            couples = options.integer("--couples", 8);
            rate = options.decimal("--rate", 0);
            runs = options.integer("--runs", 3);
            textLength = options.integer("--text-length", 200);
            String call = options.string("--call", "send");
            if (!call.equals("send") && !call.equals("typing")) {
                throw new IllegalArgumentException("--call: send or typing, not " + call);
            }
            typing = call.equals("typing");
            warmUp = options.seconds("--warm-up", Duration.ofSeconds(5));
            duration = options.seconds("--duration", Duration.ofSeconds(10));
            if (local == null) {
                throw new IllegalArgumentException("give --local DIR (a local cluster: its certificates, ports and /proc)");
            }
            if (couples < 1 || runs < 1 || rate < 0) {
                throw new IllegalArgumentException("--couples and --runs: at least 1; --rate: above 0");
            }
            if (rate == 0) {
                rate = typing ? DEFAULT_TYPING_RATE : DEFAULT_SEND_RATE;
            }
        } catch (IllegalArgumentException e) {
            err.println("duet-relay-cost: " + e.getMessage());
            usage(err);
            return 2;
        }
        return new RelayCostBenchmark(local, typing, textLength, out).measure(couples, rate, runs, warmUp, duration);
    }

    /** One sender: a couple member, its principal, and its path in the mode being measured. */
    private static final class Sender {
        final String token;
        final Principal principal;
        /** The relay port of the couple's application server; found by {@link #findOwners}. */
        InetSocketAddress owner;
        String ownerName;

        Sender(String token, Principal principal) {
            this.token = token;
            this.principal = principal;
        }
    }

    private int measure(int couples, double rate, int runs, Duration warmUp, Duration duration) throws Exception {
        Properties presentation = BenchMains.localClusterConf(cluster, "presentation-1.properties");
        Properties ports = BenchMains.localClusterConf(cluster, "ports.properties");
        InetSocketAddress presentationTcp = new InetSocketAddress("127.0.0.1",
                Integer.parseInt(presentation.getProperty("client.tcp.port")));
        URI http = URI.create("http://127.0.0.1:" + ports.getProperty("endpoint.http", ports.getProperty("presentation-1.http")));
        TokenCodec tokens = TokenCodec.create(SecretFiles.readPrivate("token.secret-file",
                Path.of(presentation.getProperty("token.secret-file"))), List.of(), Clock.systemUTC());
        RelayTls tls = RelayTls.of(Path.of(presentation.getProperty(RelayTls.CERT)),
                Path.of(presentation.getProperty(RelayTls.KEY)), Path.of(presentation.getProperty(RelayTls.CA)));
        Map<String, InetSocketAddress> appServers = RelayPaths.appServers(cluster);

        String runId = Long.toString(System.currentTimeMillis(), 36);
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < couples; i++) {
            for (SimulatedCouple.Partner partner : SimulatedCouple.pair(i, runId, http).partners) {
                String token = partner.session.getToken();
                senders.add(new Sender(token, RelayPaths.principalOf(tokens.verify(token))));
            }
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("duet-relay-cost", true),
                NioIoHandler.newFactory());
        try (TcpProxy proxy = TcpProxy.start(appServers)) {
            findOwners(group, tls, senders, appServers);
            ProcessCpu cpu = ProcessCpu.ofCluster(cluster);
            out.printf(Locale.ROOT, "Relay cost: %d senders (both members of %d couples), one call at a time, at most %.0f/s"
                    + " each, chat:%s%s, %d runs of %d s per mode; senders' servers %s%n", senders.size(), couples, rate,
                    typing ? "setTyping" : "sendMessage",
                    typing ? "" : " (" + meanTextLength + "-character texts)", runs, duration.toSeconds(),
                    senders.stream().map(s -> s.ownerName).toList());
            for (Mode mode : Mode.values()) {
                loop(mode, group, tls, proxy, presentationTcp, senders, rate, warmUp, cpu);
            }
            Map<Mode, List<Result>> results = new EnumMap<>(Mode.class);
            for (int run = 1; run <= runs; run++) {
                for (Mode mode : Mode.values()) {
                    Result result = loop(mode, group, tls, proxy, presentationTcp, senders, rate, duration, cpu);
                    results.computeIfAbsent(mode, m -> new ArrayList<>()).add(result);
                    out.printf(Locale.ROOT, "run %d %-12s %s%n", run, label(mode), result);
                }
            }
            summarize(results);
            long failed = results.values().stream().flatMap(List::stream).mapToLong(r -> r.failed.get()).sum();
            if (failed > 0) {
                out.printf(Locale.ROOT, "%d calls failed; the first: %s%n", failed, results.values().stream()
                        .flatMap(List::stream).map(r -> r.firstFailure.get()).filter(f -> f != null).findFirst().orElse("?"));
                return 1;
            }
            return 0;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String label(Mode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /** Asks each application server, over a relay link, for each sender's couple: its owner answers a call. */
    private void findOwners(EventLoopGroup group, RelayTls tls, List<Sender> senders,
            Map<String, InetSocketAddress> appServers) throws Exception {
        for (Map.Entry<String, InetSocketAddress> server : appServers.entrySet()) {
            try (RelayConnection link = RelayConnection.open(group, tls, server.getValue(), PRESENTATION_ID)) {
                for (Sender sender : senders) {
                    if (sender.owner != null) {
                        continue;
                    }
                    CompletableFuture<byte[]> reply = new CompletableFuture<>();
                    CompletableFuture<CloseStream> closed = new CompletableFuture<>();
                    link.openSession(sender.principal, reply::complete, closed).send(typingCall(0, false));
                    CompletableFuture.anyOf(reply, closed).get(20, TimeUnit.SECONDS);
                    if (reply.isDone()) {
                        sender.owner = server.getValue();
                        sender.ownerName = server.getKey();
                    }
                }
            }
        }
        for (Sender sender : senders) {
            if (sender.owner == null) {
                throw new IllegalStateException("no application server took the couple of user " + sender.principal.getUserId());
            }
        }
    }

    /** What one mode measured in one run. */
    private static final class Result {
        final Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
        final AtomicLong failed = new AtomicLong();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        double seconds;
        /** CPU per call of each process, in microseconds. */
        final Map<String, Double> cpuMicros = new LinkedHashMap<>();
        /** The hop's process: presentation-1 or the proxy; absent for DIRECT. */
        String hop;

        double rate() {
            return micros.getTotalCount() / seconds;
        }

        double hopCpu() {
            return hop == null ? 0 : cpuMicros.getOrDefault(hop, 0.0);
        }

        double serversCpu() {
            return cpuMicros.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        @Override
        public String toString() {
            StringBuilder cpu = new StringBuilder();
            cpuMicros.forEach((node, us) -> cpu.append(String.format(Locale.ROOT, " %s %.0f", node, us)));
            return String.format(Locale.ROOT, "%,8.0f calls/s  p50 %,6d µs  p99 %,6d µs  p99.9 %,6d µs  CPU µs/call:%s%s",
                    rate(), micros.getValueAtPercentile(50), micros.getValueAtPercentile(99),
                    micros.getValueAtPercentile(99.9), cpu, failed.get() > 0 ? "  FAILED " + failed.get() : "");
        }
    }

    /** {@code duration} of paced calls in {@code mode}, each sender on a path of its own. */
    private Result loop(Mode mode, EventLoopGroup group, RelayTls tls, TcpProxy proxy, InetSocketAddress presentationTcp,
            List<Sender> senders, double rate, Duration duration, ProcessCpu cpu) throws Exception {
        Result result = new Result();
        long end = System.nanoTime() + duration.toNanos();
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> allDone = new CompletableFuture<>();
        List<AutoCloseable> open = new ArrayList<>();
        List<Runnable> starts = new ArrayList<>();
        Map<InetSocketAddress, RelayConnection> links = new LinkedHashMap<>();
        Random random = new Random();
        try {
            for (Sender sender : senders) {
                CallLoop calls = new CallLoop(group.next(), (long) (1e9 / rate), end, result, random.nextLong(), () -> {
                    if (done.incrementAndGet() == senders.size()) {
                        allDone.complete(null);
                    }
                });
                CallPath path;
                if (mode == Mode.PRESENTATION) {
                    RelayPaths.SessionPath session = RelayPaths.session(group, presentationTcp, sender.token,
                            calls::replied).get(20, TimeUnit.SECONDS);
                    open.add(session);
                    path = session;
                } else {
                    InetSocketAddress target = mode == Mode.DIRECT ? sender.owner : proxy.frontOf(sender.owner);
                    RelayConnection link = links.get(target);
                    if (link == null) {
                        link = RelayConnection.open(group, tls, target, PRESENTATION_ID);
                        links.put(target, link);
                        open.add(link);
                    }
                    path = link.openSession(sender.principal, calls::replied, new CompletableFuture<>());
                }
                calls.path = path;
                starts.add(calls::start);
            }
            Map<String, Long> before = sample(cpu, proxy);
            long started = System.nanoTime();
            starts.forEach(Runnable::run);
            allDone.get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            result.seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Long> after = sample(cpu, proxy);
            long calls = Math.max(1, result.micros.getTotalCount());
            after.forEach((node, micros) -> {
                Long was = before.get(node);
                if (was != null && !NOT_ON_THE_PATH.contains(node)) {
                    result.cpuMicros.put(node, (micros - was) / (double) calls);
                }
            });
            result.hop = mode == Mode.PRESENTATION ? "presentation-1" : mode == Mode.HAPROXY ? TcpProxy.NODE : null;
            return result;
        } finally {
            for (AutoCloseable closeable : open) {
                closeable.close();
            }
        }
    }

    private static Map<String, Long> sample(ProcessCpu cpu, TcpProxy proxy) {
        Map<String, Long> micros = new LinkedHashMap<>(cpu.sample());
        proxy.cpuMicros().ifPresent(us -> micros.put(TcpProxy.NODE, us));
        return micros;
    }

    private void summarize(Map<Mode, List<Result>> results) {
        out.printf(Locale.ROOT, "%-40s %10s %10s %10s%n", "", "min", "median", "max");
        for (Mode mode : Mode.values()) {
            List<Result> rs = results.get(mode);
            row(label(mode) + ": calls/s", rs.stream().map(Result::rate).toList());
            row(label(mode) + ": p50 µs", rs.stream().map(r -> (double) r.micros.getValueAtPercentile(50)).toList());
            row(label(mode) + ": p99 µs", rs.stream().map(r -> (double) r.micros.getValueAtPercentile(99)).toList());
            row(label(mode) + ": servers' CPU µs/call", rs.stream().map(Result::serversCpu).toList());
            if (mode != Mode.DIRECT) {
                row(label(mode) + ": the hop's CPU µs/call", rs.stream().map(Result::hopCpu).toList());
            }
        }
        double direct = median(results.get(Mode.DIRECT), r -> (double) r.micros.getValueAtPercentile(50));
        for (Mode mode : List.of(Mode.PRESENTATION, Mode.HAPROXY)) {
            out.printf(Locale.ROOT, "%s adds %,.0f µs at p50 over direct (medians); its hop costs %.1f µs of CPU per call%n",
                    label(mode), median(results.get(mode), r -> (double) r.micros.getValueAtPercentile(50)) - direct,
                    median(results.get(mode), Result::hopCpu));
        }
    }

    private static double median(List<Result> results, ToDoubleFunction<Result> value) {
        return BenchMains.minMedianMax(results.stream().map(value::applyAsDouble).toList())[1];
    }

    private void row(String label, List<Double> values) {
        double[] m = BenchMains.minMedianMax(values);
        out.printf(Locale.ROOT, "%-40s %,10.1f %,10.1f %,10.1f%n", label, m[0], m[1], m[2]);
    }

    private byte[] typingCall(int seqid, boolean on) {
        return ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, TYPING, seqid,
                new ChatService.setTyping_args(new SetTypingRequest(on)), false);
    }

    /**
     * One sender's calls: one at a time, each sent {@code periodNanos} after the one before (or at its reply,
     * if that comes later), until {@code end}; each reply times its call.
     */
    private final class CallLoop {
        private final ScheduledExecutorService timer;
        private final long periodNanos;
        private final long end;
        private final Result result;
        private final Random random;
        private final TextMix texts = new TextMix(meanTextLength);
        private final Runnable finished;
        CallPath path;
        private int seqid;
        private long sentAt;

        CallLoop(ScheduledExecutorService timer, long periodNanos, long end, Result result, long seed, Runnable finished) {
            this.timer = timer;
            this.periodNanos = periodNanos;
            this.end = end;
            this.result = result;
            this.random = new Random(seed);
            this.finished = finished;
        }

        /** Sends the first call after a random part of the period, so that the senders do not go in step. */
        void start() {
            timer.schedule(this::sendNext, (long) (random.nextDouble() * periodNanos), TimeUnit.NANOSECONDS);
        }

        private synchronized void sendNext() {
            seqid++;
            byte[] call = typing ? typingCall(seqid, seqid % 2 == 0)
                    : ThriftMessages.encodeCall(CODEC, WireProtocol.COMPACT, SEND, seqid, new ChatService.sendMessage_args(
                            new SendMessageRequest(new UUID(random.nextLong(), random.nextLong()).toString(),
                                    texts.next(random), 1)), false);
            sentAt = System.nanoTime();
            path.send(call);
        }

        /** The reply to the call in flight. */
        synchronized void replied(byte[] reply) {
            long now = System.nanoTime();
            String failure = failure(reply);
            if (failure != null && result.failed.incrementAndGet() == 1) {
                result.firstFailure.compareAndSet(null, failure);
            }
            synchronized (result.micros) {
                result.micros.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(now - sentAt)));
            }
            long next = sentAt + periodNanos;
            if (next >= end) {
                finished.run();
            } else if (next <= now) {
                sendNext();
            } else {
                timer.schedule(this::sendNext, next - now, TimeUnit.NANOSECONDS);
            }
        }

        /** Why the call failed, or null if it did not. */
        private String failure(byte[] reply) {
            try {
                ThriftMessages.Incoming incoming = ThriftMessages.read(CODEC, reply, WireProtocol.COMPACT);
                if (incoming.header().type != TMessageType.REPLY) {
                    return "a " + incoming.header().type + " message: " + incoming.readApplicationException().getMessage();
                }
                if (typing) {
                    ChatService.setTyping_result answer = incoming.readBody(new ChatService.setTyping_result());
                    return answer.isSetSuccess() ? null : String.valueOf(answer.getError());
                }
                ChatService.sendMessage_result answer = incoming.readBody(new ChatService.sendMessage_result());
                return answer.isSetSuccess() ? null : String.valueOf(answer.getError());
            } catch (Exception e) {
                return "an unreadable reply: " + e;
            }
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: bin/duet-relay-cost --local DIR [--couples N] [--rate R] [--call send|typing]");
        out.println("                           [--text-length N] [--runs N] [--warm-up S] [--duration S]");
        out.println("The same calls to a couple's application server through presentation-1 (Duet), through an");
        out.println("HAProxy in TCP mode on the relay hop, and straight to the relay port; send -> reply latency and");
        out.println("the CPU per call of the hop and of every server. Needs haproxy (as bin/local-cluster does).");
        out.println("Both members of each couple send, one call at a time, at most R a second each (under the");
        out.println("servers' limits per device). Defaults: 8 couples, sendMessage of 200 characters at 40/s each");
        out.println("(typing: 8/s), 3 runs, 5 s warm-up per mode, 10 s per mode and run.");
    }
}
