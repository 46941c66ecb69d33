/**
 * How Duet encodes chat traffic, measured beside baselines. Two commands:
 *
 * <ul>
 *   <li>{@link io.duet.bench.codec.CodecBenchmarks} ({@code bin/duet-jmh}): JMH microbenchmarks of the client
 *       frames ({@code FrameBenchmark}), snappy ({@code SnappyBenchmark}), Thrift compact against binary and
 *       JSON ({@code ThriftBenchmark}) and relay frames ({@code RelayBenchmark}), each paired with its baseline
 *       by {@link io.duet.bench.codec.BaselineTable}.
 *   <li>{@link io.duet.bench.codec.WireSizeMain} ({@code bin/duet-wire-size}): bytes per message on the client
 *       TCP protocol ({@code WireSize}) against a JSON/HTTP API ({@code JsonHttpBaseline}).
 * </ul>
 *
 * <p>Both draw their messages from {@link io.duet.bench.codec.ChatSamples}, which builds them with the codecs
 * the SDK and the servers use.
 */
package io.duet.bench.codec;
