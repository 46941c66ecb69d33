/**
 * Benchmarks. Start with {@link io.duet.bench.LoadGeneratorMain} ({@code bin/duet-load}): it builds
 * {@link io.duet.bench.LoadSettings}, and {@link io.duet.bench.LoadGenerator} runs the simulated couples
 * ({@code SimulatedCouple}, texts from {@code TextMix}, idle sessions from {@code IdleSessions}), records
 * latencies ({@code LoadRecorder}), reads the servers' CPU ({@code ProcessCpu}) and returns a
 * {@link io.duet.bench.LoadResult}, which {@code LoadReport} writes as JSON and HTML. {@code
 * ThroughputBenchmark} ({@code --throughput}) compares Duet with raw HBase puts ({@code HBasePutBaseline}),
 * after warm-up runs until the cluster stops getting faster ({@code WarmUpRule});
 * {@link io.duet.bench.HandshakeBenchmark} ({@code bin/duet-handshakes}) measures TLS handshakes. What the
 * command-line programs share is in {@code BenchMains}. The codec microbenchmarks and the wire-size
 * benchmark are in {@link io.duet.bench.codec}. {@link io.duet.bench.FenceBenchmark}
 * ({@code bin/duet-fence-bench}) measures HBase alone: Duet-shaped commits ({@code FencedCommits}, grouped
 * by {@code CommitGroups}) fenced by {@code checkAndMutate}, by one atomic {@code MultiRowMutationEndpoint}
 * call per region, or by a region coprocessor, after {@code FenceChecks} has checked that the coprocessor
 * fences. {@link io.duet.bench.ConnectionsBenchmark}
 * ({@code bin/duet-connections}) measures the heap and resident memory of idle sessions on a presentation
 * server of its own ({@code BenchServer}, memory read by {@code JvmMemory}) beside a bare Netty server
 * ({@code BareServer}); {@link io.duet.bench.RelayCostBenchmark} ({@code bin/duet-relay-cost}) times the same
 * calls through a presentation server, through HAProxy ({@code TcpProxy}) and direct ({@code RelayPaths}).
 */
package io.duet.bench;
